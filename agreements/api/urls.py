from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from agreements.api import views
from agreements.api.docs import SwaggerView

app_name = "api"

router = DefaultRouter()
router.register("clients", views.ClientViewSet, basename="client")


def login_not_required(patterns):
    """The API answers an anonymous caller with 401 itself, instead of the pages' redirect to
    the login page (LoginRequiredMiddleware)."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            login_not_required(pattern.url_patterns)
        else:
            pattern.callback.login_required = False
    return patterns


urlpatterns = login_not_required(
    [
        path("v1/", include(router.urls)),
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
        path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    ]
)
