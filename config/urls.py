from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Covered administration"
admin.site.site_title = "Covered administration"
admin.site.index_title = "Covered administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("agreements.urls")),
    path("", include("agreements.urls_gaps")),
    path("clients/", include("clients.urls")),
    path("skills/matrix/", include("agreements.urls_matrix")),
    path("", include("skills.urls")),
]
