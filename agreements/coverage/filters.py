import django_filters
from django import forms

from agreements.coverage.models import AT_RISK_OF_KIND, CoverageFlag, status_choices_with_kinds
from core.filters import IdFilter


class FlagFilter(django_filters.FilterSet):
    """Filters of the flags list; the report's "and N more" links set the check ones."""

    state = django_filters.ChoiceFilter(
        label="State",
        choices=[("open", "Open"), ("resolved", "Resolved")],
        empty_label="Open or resolved",
        method="filter_state",
    )
    status = django_filters.ChoiceFilter(
        choices=status_choices_with_kinds(CoverageFlag.Status.choices),
        empty_label="Any status",
        method="filter_status",
    )
    opened_by_check = IdFilter(widget=forms.HiddenInput)
    resolved_by_check = IdFilter(widget=forms.HiddenInput)

    class Meta:
        model = CoverageFlag
        fields = ["state", "status", "opened_by_check", "resolved_by_check"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(resolved_at__isnull=value == "open")

    def filter_status(self, queryset, name, value):
        if value in AT_RISK_OF_KIND:
            return queryset.filter(
                status=CoverageFlag.Status.AT_RISK, risk_kind=AT_RISK_OF_KIND[value]
            )
        return queryset.filter(status=value)
