from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Covered administration"
admin.site.site_title = "Covered administration"
admin.site.index_title = "Covered administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("agreements.coverage.urls")),
    path("", include("agreements.planning.urls")),
    path("agreements/", include("agreements.urls")),
    path("clients/", include("clients.urls")),
    path("", include("skills.urls")),
]
