from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from agreements.api import book, hours, presale, proposals, team, tokens, whatif
from agreements.api.coverage import views as coverage_views
from agreements.api.docs import SwaggerView

app_name = "api"

# The API's views answer an anonymous caller with 401 themselves (DRF exempts them from the
# pages' LoginRequiredMiddleware); Swagger UI and the tokens page are pages, behind the login.
router = DefaultRouter()
router.include_format_suffixes = False
for prefix, viewset in (
    ("clients", book.ClientViewSet),
    ("technicians", team.TechnicianViewSet),
    ("training-goals", team.TrainingGoalViewSet),
    ("time-off", hours.TimeOffViewSet),
    ("skill-categories", team.SkillCategoryViewSet),
    ("skills", team.SkillViewSet),
    ("skill-versions", team.SkillVersionViewSet),
    ("skill-aliases", team.SkillAliasViewSet),
    ("certifications", team.CertificationViewSet),
    ("partner-programmes", team.PartnerProgramViewSet),
    ("services", book.ServiceViewSet),
    ("agreements", book.AgreementViewSet),
    ("competitors", book.CompetitorViewSet),
):
    router.register(prefix, viewset, basename=viewset.model._meta.model_name)
router.register("rotas", hours.RotaViewSet, basename="oncallrota")
router.register("checks", coverage_views.CheckViewSet, basename="check")
router.register("flags", coverage_views.FlagViewSet, basename="flag")
router.register("what-if", whatif.WhatIfViewSet, basename="what-if")
router.register("pre-sale", presale.ProspectCheckViewSet, basename="pre-sale")
router.register("skill-proposals", proposals.SkillProposalViewSet, basename="skillproposal")

# Coverage paths beside the router's: a check's rows, its run-now requests, and an agreement's
# coverage and pre-sale verdict as sub-paths of its own (agreements/<pk>/ is the data's).
coverage_patterns = [
    path("checks/run/", coverage_views.CheckRunView.as_view(), name="check-run"),
    path(
        "checks/<id:pk>/agreements/",
        coverage_views.CheckAgreementListView.as_view(),
        name="check-agreements",
    ),
    path(
        "checks/<id:pk>/requirements/",
        coverage_views.CheckRequirementListView.as_view(),
        name="check-requirements",
    ),
    path(
        "checks/<id:pk>/end-of-support/",
        coverage_views.CheckEndOfSupportListView.as_view(),
        name="check-end-of-support",
    ),
    path(
        "checks/<id:pk>/partner-programmes/",
        coverage_views.CheckProgrammeListView.as_view(),
        name="check-partner-programmes",
    ),
    path(
        "check-requests/<id:pk>/", coverage_views.CheckRequestView.as_view(), name="check-request"
    ),
    path(
        "agreements/<id:pk>/coverage/",
        coverage_views.AgreementCoverageView.as_view(),
        name="agreement-coverage",
    ),
    path(
        "agreements/<id:pk>/week-grid/",
        coverage_views.AgreementWeekGridView.as_view(),
        name="agreement-week-grid",
    ),
    path(
        "requirements/<id:pk>/week-grid/",
        coverage_views.RequirementWeekGridView.as_view(),
        name="requirement-week-grid",
    ),
    path(
        "agreements/<id:pk>/presale/",
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
    path("tokens/", tokens.ApiTokensView.as_view(), name="tokens"),
]
