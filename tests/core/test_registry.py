import datetime

import pytest
from django.db.models import Value

from clients.models import Client
from core.registry import Column, Panel, Registry, columns_annotate, panels_render_list
from tests.clients.factories import ClientFactory

DAY = datetime.date(2026, 11, 26)


def panel(key, order=100):
    return Panel(key=key, template=f"{key}.html", context=dict, order=order)


def test_registry_lists_entries_in_order_then_by_key():
    registry = Registry("page")
    registry.register(panel("b"))
    registry.register(panel("c", order=10))
    registry.register(panel("a"))

    assert [entry.key for entry in registry] == ["c", "a", "b"]


def test_registering_a_key_again_replaces_the_entry():
    registry = Registry("page")
    registry.register(panel("a"))
    registry.register(Panel(key="a", template="other.html", context=dict))

    assert len(registry) == 1
    assert next(iter(registry)).template == "other.html"


def test_panels_get_the_request_and_the_object():
    registry = Registry("page")
    registry.register(
        Panel(
            key="echo",
            template="echo.html",
            context=lambda *, request, obj: {"request": request, "obj": obj},
        )
    )

    [(entry, context)] = panels_render_list(registry, request="the request", obj="the object")

    assert entry.key == "echo"
    assert context == {"request": "the request", "obj": "the object"}


@pytest.mark.django_db
def test_columns_annotate_the_list_queryset():
    ClientFactory(name="Harbor Dental")
    registry = Registry("list")
    registry.register(
        Column(
            key="answer",
            label="Answer",
            template="cell.html",
            annotate=lambda queryset, *, day: queryset.annotate(answer=Value(day.year)),
        )
    )

    client = columns_annotate(registry, Client.objects.all(), day=DAY).get()

    assert client.answer == 2026
