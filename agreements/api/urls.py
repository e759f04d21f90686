from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from agreements.api import views
from agreements.api.docs import SwaggerView

app_name = "api"

# The API's views answer an anonymous caller with 401 themselves (DRF exempts them from the
# pages' LoginRequiredMiddleware); Swagger UI and the tokens page are pages, behind the login.
router = DefaultRouter()
router.include_format_suffixes = False
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

urlpatterns = [
    path("v1/", include(router.urls)),
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="schema",
    ),
    path("docs/", login_required(SwaggerView.as_view(url_name="api:schema")), name="docs"),
    path("tokens/", views.ApiTokensView.as_view(), name="tokens"),
]
