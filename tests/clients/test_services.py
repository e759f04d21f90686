import pytest
from django.core.exceptions import ValidationError

from clients.models import Client, ClientTechnology
from clients.services import (
    client_create,
    client_environment_changed,
    client_technology_add,
    client_technology_remove,
    client_technology_update,
    client_update,
    contact_create,
)
from clients.signals import environment_changed
from tests.clients.factories import ClientFactory
from tests.skills.factories import SkillFactory, SkillVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def announcements():
    """The clients whose environment change was announced, in order."""
    received = []

    def receiver(sender, *, client, **kwargs):
        received.append(client.name)

    environment_changed.connect(receiver)
    yield received
    environment_changed.disconnect(receiver)


def test_client_create_defaults_to_an_active_client():
    client = client_create(name="Harbor Dental", industry="Dental practice", seats=14)

    assert Client.objects.get() == client
    assert client.status == Client.Status.ACTIVE


def test_client_create_refuses_a_name_taken_in_another_case():
    client_create(name="Harbor Dental")

    with pytest.raises(ValidationError) as error:
        client_create(name="HARBOR DENTAL")

    assert error.value.message_dict == {"name": ["A client named “HARBOR DENTAL” already exists."]}


def test_client_update_saves_the_change():
    client = ClientFactory(status=Client.Status.PROSPECT)

    client_update(client=client, status=Client.Status.ACTIVE, seats=30)

    client.refresh_from_db()
    assert (client.status, client.seats) == (Client.Status.ACTIVE, 30)


def test_contact_create_allows_one_primary_contact_per_client():
    client = ClientFactory(name="Harbor Dental")
    contact_create(client=client, name="Ann Lee", is_primary=True)

    with pytest.raises(ValidationError) as error:
        contact_create(client=client, name="Bo Chen", is_primary=True)

    assert error.value.message_dict == {
        "is_primary": ["Ann Lee is already the primary contact of Harbor Dental."]
    }


def test_technology_changes_announce_the_environment_change(announcements):
    client = ClientFactory(name="Harbor Dental")
    skill = SkillFactory()

    technology = client_technology_add(client=client, skill=skill, quantity=3)
    client_technology_update(technology=technology, quantity=4)
    client_technology_remove(technology=technology)

    assert announcements == ["Harbor Dental"] * 3
    assert not ClientTechnology.objects.exists()


def test_technology_moved_to_another_client_announces_both(announcements):
    technology = client_technology_add(
        client=ClientFactory(name="Old Client"), skill=SkillFactory()
    )
    announcements.clear()

    client_technology_update(technology=technology, client=ClientFactory(name="New Client"))

    assert announcements == ["New Client", "Old Client"]


def test_invalid_technology_is_not_saved_nor_announced(announcements):
    exchange = SkillFactory(name="Exchange")
    windows_2019 = SkillVersionFactory(
        skill=SkillFactory(name="Windows Server"), label="2019", rank=19
    )

    with pytest.raises(ValidationError) as error:
        client_technology_add(client=ClientFactory(), skill=exchange, version=windows_2019)

    assert error.value.message_dict == {
        "version": ["Version 2019 belongs to Windows Server, not Exchange."]
    }
    assert announcements == []
    assert not ClientTechnology.objects.exists()


def test_client_environment_changed_can_be_announced_on_its_own(announcements):
    client_environment_changed(client=ClientFactory(name="Harbor Dental"))

    assert announcements == ["Harbor Dental"]
