import django_filters
from django import forms
from django.utils import timezone

from agreements.models import Agreement, CoverageStatus
from agreements.selectors import agreements_with_notice_within
from clients.models import Client


class AgreementFilter(django_filters.FilterSet):
    """Filters of the agreements list.

    Coverage status is not a column: the view evaluates coverage and passes `coverage_statuses`
    (agreement id -> status) in; only agreements active today have one.
    """

    status = django_filters.ChoiceFilter(choices=Agreement.Status.choices, empty_label="Any status")
    coverage = django_filters.ChoiceFilter(
        label="Coverage",
        choices=CoverageStatus.choices,
        empty_label="Any coverage",
        method="filter_coverage",
    )
    client = django_filters.ModelChoiceFilter(
        queryset=Client.objects.order_by("name"), empty_label="Any client"
    )
    notice_within = django_filters.NumberFilter(
        label="Notice within (days)",
        method="filter_notice_within",
        min_value=0,
        max_value=3650,
        widget=forms.NumberInput(attrs={"placeholder": "e.g. 90"}),
    )

    class Meta:
        model = Agreement
        fields = ["status", "coverage", "client", "notice_within"]

    def __init__(self, *args, coverage_statuses=None, client_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.coverage_statuses = coverage_statuses or {}
        if client_queryset is not None:
            self.filters["client"].queryset = client_queryset

    def filter_coverage(self, queryset, name, value):
        ids = [pk for pk, status in self.coverage_statuses.items() if status == value]
        return queryset.filter(pk__in=ids)

    def filter_notice_within(self, queryset, name, value):
        return agreements_with_notice_within(queryset, day=timezone.localdate(), days=int(value))
