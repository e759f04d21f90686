import django_filters
from django import forms


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
