from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from agreements.api import views
from agreements.api.docs import SwaggerView

app_name = "api"

router = DefaultRouter()
for prefix, viewset in (
    ("clients", views.ClientViewSet),
    ("technicians", views.TechnicianViewSet),
    ("training-goals", views.TrainingGoalViewSet),
    ("skill-categories", views.SkillCategoryViewSet),
    ("skills", views.SkillViewSet),
    ("skill-versions", views.SkillVersionViewSet),
    ("skill-aliases", views.SkillAliasViewSet),
    ("certifications", views.CertificationViewSet),
    ("services", views.ServiceViewSet),
    ("agreements", views.AgreementViewSet),
    ("competitors", views.CompetitorViewSet),
):
    router.register(prefix, viewset, basename=viewset.model._meta.model_name)


def login_not_required(patterns):
    """The API answers an anonymous caller with 401 itself, instead of the pages' redirect to
    the login page (LoginRequiredMiddleware)."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            login_not_required(pattern.url_patterns)
        else:
            pattern.callback.login_required = False
    return patterns


urlpatterns = [
    *login_not_required(
        [
            path("v1/", include(router.urls)),
            path(
                "schema/",
                SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
                name="schema",
            ),
        ]
    ),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("tokens/", views.ApiTokensView.as_view(), name="tokens"),
]
