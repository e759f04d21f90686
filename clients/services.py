from typing import Any

from django.db import transaction

from clients.models import Client, ClientAlias, ClientTechnology, Contact
from clients.signals import environment_changed
from core.services import (
    NO_CHANGES,
    RowChanges,
    model_create,
    model_update,
    parent_with_rows_save,
    stored_value,
)
from skills.models import Skill, SkillVersion


def client_create(*, name: str, status: str = Client.Status.ACTIVE, **fields: Any) -> Client:
    return model_create(model=Client, fields={"name": name, "status": status, **fields})


def client_alias_create(*, client: Client, name: str) -> ClientAlias:
    """Say that files naming a client `name` mean `client`; spacing is tidied."""
    return model_create(
        model=ClientAlias, fields={"client": client, "name": " ".join(name.split())}
    )


def client_update(*, client: Client, **fields: Any) -> Client:
    return model_update(instance=client, fields=fields)


@transaction.atomic
def client_save(
    *,
    client: Client | None,
    fields: dict[str, Any],
    contacts: RowChanges = NO_CHANGES,
    environment: RowChanges = NO_CHANGES,
) -> Client:
    """Create or update a client with its contacts and environment, all or nothing.

    The derived requirements of the client's agreements are re-synced once for the whole
    environment, and only when it changed.
    """
    client = parent_with_rows_save(
        model=Client,
        instance=client,
        fields=fields,
        rows={Contact: contacts, ClientTechnology: environment},
    )
    if environment:
        client_environment_changed(client=client)
    return client


def contact_create(*, client: Client, name: str, **fields: Any) -> Contact:
    return model_create(model=Contact, fields={"client": client, "name": name, **fields})


def client_environment_changed(*, client: Client) -> None:
    """Tell the rest of the product that what runs on the client's LAN changed."""
    environment_changed.send(sender=Client, client=client)


@transaction.atomic
def client_technology_add(
    *,
    client: Client,
    skill: Skill,
    version: SkillVersion | None = None,
    quantity: int = 1,
    notes: str = "",
) -> ClientTechnology:
    technology = model_create(
        model=ClientTechnology,
        fields={
            "client": client,
            "skill": skill,
            "version": version,
            "quantity": quantity,
            "notes": notes,
        },
    )
    client_environment_changed(client=client)
    return technology


@transaction.atomic
def client_technology_update(*, technology: ClientTechnology, **fields: Any) -> ClientTechnology:
    previous_client_id = stored_value(technology, "client_id")
    model_update(instance=technology, fields=fields)
    client_environment_changed(client=technology.client)
    if technology.client_id != previous_client_id:
        client_environment_changed(client=Client.objects.get(pk=previous_client_id))
    return technology


@transaction.atomic
def client_technology_remove(*, technology: ClientTechnology) -> None:
    client = technology.client
    technology.delete()
    client_environment_changed(client=client)
