from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from agreements.api import coverage, presale, views
from agreements.api.docs import SwaggerView

app_name = "api"

router = DefaultRouter()
router.register("clients", views.ClientViewSet, basename="client")
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
        path("v1/", include(coverage_patterns)),
        path("v1/", include(router.urls)),
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
        path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    ]
)
