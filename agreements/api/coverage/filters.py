"""Filters of a recorded check's rows; the flags are filtered as the flags page filters them
(agreements/coverage/filters.py)."""

import django_filters

from agreements.coverage.models import (
    CheckedAgreement,
    CheckedEndOfSupport,
    CheckedRequirement,
    CoverageFlag,
    CoverageStatus,
    RiskKind,
)
from core.filters import IdFilter


class CheckedEndOfSupportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[(v, label) for v, label in CoverageStatus.choices if v != "not_assessed"]
    )
    client = IdFilter(field_name="client_id")

    class Meta:
        model = CheckedEndOfSupport
        fields = ["status", "client"]


class CheckedAgreementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CoverageStatus.choices)
    risk_kind = django_filters.ChoiceFilter(
        choices=RiskKind.choices, help_text="Only those at risk of this kind."
    )

    class Meta:
        model = CheckedAgreement
        fields = ["status", "risk_kind"]


class CheckedRequirementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CoverageFlag.Status.choices)
    risk_kind = django_filters.ChoiceFilter(
        choices=RiskKind.choices, help_text="Only those at risk of this kind."
    )
    is_new = django_filters.BooleanFilter(help_text="Only those whose flag the check opened.")
    agreement = IdFilter(field_name="agreement_id")

    class Meta:
        model = CheckedRequirement
        fields = ["status", "risk_kind", "is_new", "agreement"]
