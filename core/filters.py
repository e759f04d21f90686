import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from core.bounds import ID_MAX, ID_SCHEMA


class NameSearchFilter(django_filters.CharFilter):
    """The "search by name" box of a list page's filter bar."""

    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "name")
        kwargs.setdefault("lookup_expr", "icontains")
        kwargs.setdefault("label", "Name")
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"type": "search", "class": "form-control", "placeholder": "Search by name"}
            ),
        )
        super().__init__(**kwargs)


@extend_schema_field(ID_SCHEMA)
class IdFilter(django_filters.NumberFilter):
    """A row's id in a query string (`?resolved_by_check=12`): a whole number from 1 to the
    largest id a table holds (core/bounds.py). Another value is refused with the field's
    message, never sent to the database."""

    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)

    def get_max_validator(self):
        return None  # max_value is the bound; NumberFilter's own (1e50) is beyond it
