from typing import Any

from django.db import transaction

from clients.models import Client, ClientTechnology, Contact
from clients.signals import environment_changed
from core.services import model_update
from skills.models import Skill, SkillVersion


def client_create(*, name: str, status: str = Client.Status.ACTIVE, **fields: Any) -> Client:
    client = Client(name=name, status=status, **fields)
    client.full_clean()
    client.save()
    return client


def client_update(*, client: Client, **fields: Any) -> Client:
    return model_update(instance=client, fields=fields)


def contact_create(*, client: Client, name: str, **fields: Any) -> Contact:
    contact = Contact(client=client, name=name, **fields)
    contact.full_clean()
    contact.save()
    return contact


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
    technology = ClientTechnology(
        client=client, skill=skill, version=version, quantity=quantity, notes=notes
    )
    technology.full_clean()
    technology.save()
    client_environment_changed(client=client)
    return technology


@transaction.atomic
def client_technology_update(*, technology: ClientTechnology, **fields: Any) -> ClientTechnology:
    # Read from the database: a ModelForm may already have set the new client on the instance.
    previous_client_id = ClientTechnology.objects.values_list("client_id", flat=True).get(
        pk=technology.pk
    )
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
