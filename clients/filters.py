import django_filters
from django import forms
from django.contrib.auth import get_user_model

from clients.models import Client
from core.filters import NameSearchFilter
from core.forms import UserChoiceField
from core.registry import client_list_columns

SORT_FIELDS = ("name", "status", "seats")


class UserChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class TieBreakingOrderingFilter(django_filters.OrderingFilter):
    """Sorts by the chosen column, then by name so equal values keep a stable order."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        return qs.order_by(*qs.query.order_by, "name") if value else qs


def account_managers(request):
    """Users who manage at least one client: the choices of the account manager filter."""
    return (
        get_user_model()
        .objects.filter(managed_clients__isnull=False)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class ClientFilter(django_filters.FilterSet):
    q = NameSearchFilter()
    status = django_filters.ChoiceFilter(
        choices=Client.Status.choices,
        empty_label="Any status",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    account_manager = UserChoiceFilter(
        queryset=account_managers,
        short=True,
        empty_label="Any manager",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    sort = TieBreakingOrderingFilter(fields=SORT_FIELDS, label="Sort by")

    class Meta:
        model = Client
        fields = ["q", "status", "account_manager"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Columns other apps add to the list (core/registry.py) can be sorted on too.
        extra = tuple(column.key for column in client_list_columns if column.sortable)
        if extra:
            sort = TieBreakingOrderingFilter(fields=SORT_FIELDS + extra, label="Sort by")
            sort.parent, sort.model = self, Client
            self.filters["sort"] = sort
