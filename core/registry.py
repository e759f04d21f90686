"""Places on the agreement and client pages that a higher layer fills: the read-side twin of a
signal.

The layers (DESIGN "Apps and what each owns", checked by import-linter) keep the contract book
from importing coverage and clients from importing agreements, yet the agreement pages show
coverage and the client pages show the client's agreements and their coverage. So those pages
render the places named at the end of this module, whatever is in them, and
agreements/coverage/pages.py, which may import everything they show, fills them all in one list
when the coverage app is ready: to learn what a page shows, read that list. A `Panel` is a section
of a detail page; a `Column` is a column of a list, computed in SQL by an annotation so that the
list stays one query.
"""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class Panel:
    """A section of a detail page: `template` rendered with what `context(request, obj)` gives;
    `summary_template`, with the same context, adds to the line under the page's title."""

    key: str
    template: str
    context: Callable[..., dict[str, Any]]
    order: int = 100
    summary_template: str | None = None


@dataclass(frozen=True)
class Column:
    """A list column: `annotate(queryset, day=...)` adds the value named `key`; `template`
    renders one cell with `row` (the annotated object) and `value`. `filter`, a django-filter
    Filter on the annotation, joins the list's filters under the same key."""

    key: str
    label: str
    annotate: Callable[..., QuerySet]
    template: str
    order: int = 100
    sortable: bool = False
    css_class: str = ""
    filter: Any = None


class Registry:
    """What other apps put on one page, in `order`, each under a unique key."""

    def __init__(self, name: str):
        self.name = name
        self._entries: dict[str, Panel | Column] = {}

    def register(self, entry: Panel | Column) -> None:
        """Add `entry`; registering the same key again replaces it (ready() may run twice)."""
        self._entries[entry.key] = entry

    def __iter__(self) -> Iterator:
        return iter(sorted(self._entries.values(), key=lambda entry: (entry.order, entry.key)))

    def __len__(self) -> int:
        return len(self._entries)


def panels_render_list(registry: Registry, *, request, obj) -> list[tuple[Panel, dict[str, Any]]]:
    """(panel, its context) for each panel of `registry` on the page of `obj`."""
    return [(panel, panel.context(request=request, obj=obj)) for panel in registry]


def columns_annotate(registry: Registry, queryset: QuerySet, *, day: datetime.date) -> QuerySet:
    """`queryset` with the annotation of every column of `registry`."""
    for column in registry:
        queryset = column.annotate(queryset, day=day)
    return queryset


def column_filters(registry: Registry) -> dict[str, Any]:
    """{key: filter} of the columns of `registry` that can be filtered on."""
    return {column.key: column.filter for column in registry if column.filter is not None}


agreement_detail_panels = Registry("agreement detail")
agreement_list_panels = Registry("above the agreement list")
agreement_columns = Registry("agreement lists: the list page and the client page")
agreement_form_panels = Registry("above the agreement form")
client_detail_panels = Registry("client detail")
client_list_columns = Registry("client list")
