from django.contrib import admin
from django.urls import include, path

from core.accounts import AdminSite

# Every model registered so far keeps its place; the site now asks staff for a second factor.
admin.site.__class__ = AdminSite
admin.site.site_header = "Covered administration"
admin.site.site_title = "Covered administration"
admin.site.index_title = "Covered administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("agreements.api.urls")),
    # The app's own login, password reset and two-factor pages come before Django's defaults.
    path("", include("core.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("agreements.coverage.urls")),
    path("", include("agreements.planning.urls")),
    path("", include("agreements.approvals.urls")),
    path("agreements/", include("agreements.urls")),
    path("imports/", include("agreements.imports.urls")),
    path("connections/", include("agreements.connectors.urls")),
    path("clients/", include("clients.urls")),
    path("", include("skills.urls")),
]

handler404 = "core.views.not_found"
