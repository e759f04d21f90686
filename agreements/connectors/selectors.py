"""Reads of the connections: who keeps an object's fields (for core.ownership), the runs of a
connection, the syncs that are due."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from agreements.connectors.models import Connection, ExternalRef, SyncRun
from agreements.models import Agreement
from clients.models import Client, ClientTechnology, Contact
from core.ownership import Keeper
from skills.models import Technician

# What a connection keeps of an object of the environment: the rest (notes) is edited here.
ENVIRONMENT_FIELDS = frozenset({"skill", "version", "quantity"})


def keeper_of(instance: Model) -> Keeper | None:
    """The connection that keeps `instance` and the fields its vendor gives, or None. An
    environment row is kept by the connection that syncs its client's environment. The rows of
    a client's formsets (contacts, environment) cost one query together, read once per client
    object and kept on it, so that a page costs the same however many rows it has."""
    if isinstance(instance, ClientTechnology):
        refs = _client_refs(instance.client)
        ref = next((ref for ref in refs["client"] if "environments" in ref.connection.syncs), None)
        return Keeper(ref.connection.label, ENVIRONMENT_FIELDS) if ref else None
    if isinstance(instance, Contact):
        ref = _client_refs(instance.client)["contacts"].get(instance.pk)
    elif isinstance(instance, Client | Technician | Agreement):
        ref = (
            ExternalRef.objects.filter(
                content_type=ContentType.objects.get_for_model(type(instance)),
                object_id=instance.pk,
            )
            .select_related("connection")
            .first()
        )
    else:
        return None
    if ref is None:
        return None
    return Keeper(ref.connection.label, frozenset(ref.fields))


def _client_refs(client: Client) -> dict:
    """{"client": the client's refs, "contacts": {contact id: ref}}, read once per object."""
    if not hasattr(client, "_connector_refs"):
        client_type = ContentType.objects.get_for_model(Client)
        contact_type = ContentType.objects.get_for_model(Contact)
        refs = ExternalRef.objects.filter(
            Q(content_type=client_type, object_id=client.pk)
            | Q(
                content_type=contact_type,
                object_id__in=Contact.objects.filter(client=client).values("pk"),
            )
        ).select_related("connection")
        found = {"client": [], "contacts": {}}
        for ref in refs:
            if ref.content_type_id == client_type.pk:
                found["client"].append(ref)
            else:
                found["contacts"][ref.object_id] = ref
        client._connector_refs = found
    return client._connector_refs


def connection_list() -> QuerySet[Connection]:
    return Connection.objects.order_by("name")


def connection_runs(connection: Connection, *, limit: int = 20) -> list[SyncRun]:
    return list(connection.runs.order_by("-started_at", "-pk")[:limit])


def connection_has_applied(connection: Connection) -> bool:
    return connection.runs.filter(status=SyncRun.Status.APPLIED).exists()


def connections_due(now: datetime.datetime, *, window: datetime.timedelta) -> list[Connection]:
    """The scheduled connections whose time of day fell within `window` before `now` (local
    time) and that have not started a sync since."""
    local = timezone.localtime(now)
    due = []
    for connection in Connection.objects.filter(schedule_enabled=True):
        at = local.replace(
            hour=connection.schedule_time.hour,
            minute=connection.schedule_time.minute,
            second=0,
            microsecond=0,
        )
        if not (at <= local < at + window):
            continue
        if connection.runs.filter(started_at__gte=at).exists():
            continue
        due.append(connection)
    return due
