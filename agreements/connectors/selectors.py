"""Reads of the connections: who keeps an object's fields (for core.ownership), the runs of a
connection, the syncs that are due."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils import timezone

from agreements.connectors.models import Connection, ExternalRef, SyncRun
from clients.models import Client, ClientTechnology
from core.ownership import Keeper

# What a connection keeps of an object of the environment: the rest (notes) is edited here.
ENVIRONMENT_FIELDS = frozenset({"skill", "version", "quantity"})


def keeper_of(instance: Model) -> Keeper | None:
    """The connection that keeps `instance` and the fields its vendor gives, or None. An
    environment row is kept by the connection that syncs its client's environment."""
    if isinstance(instance, ClientTechnology):
        refs = ExternalRef.objects.filter(
            content_type=ContentType.objects.get_for_model(Client), object_id=instance.client_id
        ).select_related("connection")
        # In Python: the embedded run mode's SQLite has no JSON "contains".
        ref = next((ref for ref in refs if "environments" in ref.connection.syncs), None)
        return Keeper(ref.connection.label, ENVIRONMENT_FIELDS) if ref else None
    ref = (
        ExternalRef.objects.filter(
            content_type=ContentType.objects.get_for_model(type(instance)), object_id=instance.pk
        )
        .select_related("connection")
        .first()
    )
    if ref is None:
        return None
    return Keeper(ref.connection.label, frozenset(ref.fields))


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
