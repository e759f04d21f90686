import copy

import django_filters
from django import forms
from django.urls import reverse_lazy
from django.utils import timezone

from agreements.models import Agreement
from agreements.selectors import agreements_renewing_within, agreements_with_notice_within
from clients.models import Client
from core.forms import AutocompleteSelect
from core.registry import agreement_columns, column_filters


class AgreementFilter(django_filters.FilterSet):
    """Filters of the agreements list, plus those of the columns other apps add to it
    (core/registry.py), e.g. coverage."""

    status = django_filters.ChoiceFilter(choices=Agreement.Status.choices, empty_label="Any status")
    client = django_filters.ModelChoiceFilter(
        queryset=Client.objects.order_by("name"),
        widget=AutocompleteSelect(
            url=reverse_lazy("clients:autocomplete"), placeholder="Any client"
        ),
    )
    notice_within = django_filters.NumberFilter(
        label="Notice within (days)",
        method="filter_notice_within",
        min_value=0,
        max_value=3650,
        widget=forms.NumberInput(attrs={"placeholder": "e.g. 90"}),
    )

    renews_within = django_filters.NumberFilter(
        label="Renews within (days)",
        method="filter_renews_within",
        min_value=0,
        max_value=3650,
        widget=forms.NumberInput(attrs={"placeholder": "e.g. 90"}),
    )

    class Meta:
        model = Agreement
        fields = ["status", "client", "notice_within", "renews_within"]

    def __init__(self, *args, client_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, column_filter in column_filters(agreement_columns).items():
            added = copy.deepcopy(column_filter)
            added.parent, added.model = self, Agreement
            self.filters[name] = added
        if client_queryset is not None:
            self.filters["client"].queryset = client_queryset

    def filter_notice_within(self, queryset, name, value):
        return agreements_with_notice_within(queryset, day=timezone.localdate(), days=int(value))

    def filter_renews_within(self, queryset, name, value):
        return agreements_renewing_within(queryset, day=timezone.localdate(), days=int(value))
