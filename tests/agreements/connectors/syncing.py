"""What the sync tests of every vendor share: running a sync, reading what it wrote."""

from django.contrib.contenttypes.models import ContentType

from agreements.connectors.models import ExternalRef, SyncRun
from agreements.connectors.services import sync_run_execute, sync_run_start
from clients.models import ClientTechnology


def synced(connection, *, user=None) -> SyncRun:
    """A sync of `connection` started by hand and run to its end (or its review)."""
    run = sync_run_start(connection=connection, trigger=SyncRun.Trigger.MANUAL, user=user)
    return sync_run_execute(run=run)


def refs(connection, model) -> dict[str, int]:
    """{vendor id: object id} of the `model` rows `connection` keeps."""
    return dict(
        ExternalRef.objects.filter(
            connection=connection, content_type=ContentType.objects.get_for_model(model)
        ).values_list("external_id", "object_id")
    )


def environment(client_name) -> set[tuple[str, str, int]]:
    """The client's environment as (skill, version label, quantity)."""
    return {
        (tech.skill.name, tech.version.label if tech.version else "", tech.quantity)
        for tech in ClientTechnology.objects.filter(client__name=client_name).select_related(
            "skill", "version"
        )
    }


def pk(model, name) -> int:
    return model.objects.get(name=name).pk


def flat(pages, key=None) -> list[dict]:
    """The records of a vendor's pages, in order (under `key` where a page is an object)."""
    return [record for page in pages for record in (page if key is None else page[key])]
