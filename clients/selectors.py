"""Reads for the client pages; each returns a queryset that runs a fixed number of queries.

What other apps show about a client (its agreements, their annual value) comes through the
places of core/registry.py, so that clients never reads their tables.
"""

import datetime

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from clients.models import Client, ClientTechnology, Contact
from core.permissions import visible_to
from core.registry import client_list_columns, columns_annotate
from skills.selectors import support_state


def client_list(*, user, day: datetime.date) -> QuerySet[Client]:
    """Clients with their account manager and the columns other apps add (on `day`)."""
    clients = visible_to(user, Client).select_related("account_manager").order_by("name")
    return columns_annotate(client_list_columns, clients, day=day)


def client_get(*, user, pk: int) -> Client:
    return get_object_or_404(visible_to(user, Client).select_related("account_manager"), pk=pk)


def client_contacts(*, client: Client) -> QuerySet[Contact]:
    return client.contacts.all()


def client_environment(*, client: Client, day: datetime.date) -> QuerySet[ClientTechnology]:
    """What runs on the client's LAN, with `support_state`: "ended", "ending" (within 180 days)
    or "" for a version still supported (or without a known end of support)."""
    return (
        client.technologies.select_related("skill__category", "version")
        .annotate(support_state=support_state(day=day, prefix="version__"))
        .order_by("skill__name", "version__rank")
    )


# ------------------------------------------------------------------------------ downloads


def clients_for_export(clients: QuerySet[Client]) -> QuerySet[Client]:
    """`clients` with their primary contact read alongside (ClientResource's columns)."""
    return clients.prefetch_related(
        Prefetch(
            "contacts", queryset=Contact.objects.filter(is_primary=True), to_attr="primary_contacts"
        )
    )


def contacts_for_export(clients: QuerySet[Client]) -> QuerySet[Contact]:
    return (
        Contact.objects.filter(client__in=clients.values("pk"))
        .select_related("client")
        .order_by("client__name", "-is_primary", "name", "pk")
    )


def environment_for_export(client: Client) -> QuerySet[ClientTechnology]:
    return client.technologies.select_related("client", "skill", "version").order_by(
        "skill__name", "version__rank", "pk"
    )
