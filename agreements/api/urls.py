from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from agreements.api import coverage, presale, views
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
router.register("checks", coverage.CheckViewSet, basename="check")
router.register("flags", coverage.FlagViewSet, basename="flag")
router.register("what-if", coverage.WhatIfViewSet, basename="what-if")
router.register("pre-sale", presale.ProspectCheckViewSet, basename="pre-sale")

# Coverage paths beside the router's: a check's rows, its run-now requests, and an agreement's
# coverage and pre-sale verdict as sub-paths of its own (agreements/<pk>/ is the data's).
coverage_patterns = [
    path("checks/run/", coverage.CheckRunView.as_view(), name="check-run"),
    path(
        "checks/<int:pk>/agreements/",
        coverage.CheckAgreementListView.as_view(),
        name="check-agreements",
    ),
    path(
        "checks/<int:pk>/requirements/",
        coverage.CheckRequirementListView.as_view(),
        name="check-requirements",
    ),
    path(
        "checks/<int:pk>/end-of-support/",
        coverage.CheckEndOfSupportListView.as_view(),
        name="check-end-of-support",
    ),
    path("check-requests/<int:pk>/", coverage.CheckRequestView.as_view(), name="check-request"),
    path(
        "agreements/<int:pk>/coverage/",
        coverage.AgreementCoverageView.as_view(),
        name="agreement-coverage",
    ),
    path(
        "agreements/<int:pk>/presale/",
        presale.AgreementPresaleView.as_view(),
        name="agreement-presale",
    ),
]

urlpatterns = [
    path("v1/", include(coverage_patterns)),
    path("v1/", include(router.urls)),
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="schema",
    ),
    path("docs/", login_required(SwaggerView.as_view(url_name="api:schema")), name="docs"),
    path("tokens/", views.ApiTokensView.as_view(), name="tokens"),
]
