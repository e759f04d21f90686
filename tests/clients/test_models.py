import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from clients.models import Client, ClientTechnology, Contact
from tests.clients.factories import ClientFactory, ClientTechnologyFactory, ContactFactory
from tests.skills.factories import SkillFactory, SkillVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dental_practice():
    return ClientFactory(name="Harbor Dental")


# Each case prepares valid rows, then returns the write that breaks a constraint.


def duplicate_client_name_in_another_case():
    ClientFactory(name="Harbor Dental")
    return lambda: ClientFactory(name="harbor dental")


def second_primary_contact():
    primary = ContactFactory(is_primary=True)
    return lambda: ContactFactory(client=primary.client, is_primary=True)


def same_version_twice():
    existing = ClientTechnologyFactory(version=SkillVersionFactory())
    return lambda: ClientTechnologyFactory(
        client=existing.client, skill=existing.skill, version=existing.version
    )


def same_skill_twice_without_version():
    existing = ClientTechnologyFactory(version=None)
    return lambda: ClientTechnologyFactory(client=existing.client, skill=existing.skill)


def quantity_0():
    client, skill = ClientFactory(), SkillFactory()
    return lambda: ClientTechnologyFactory(client=client, skill=skill, quantity=0)


@pytest.mark.parametrize(
    "prepare",
    [
        duplicate_client_name_in_another_case,
        second_primary_contact,
        same_version_twice,
        same_skill_twice_without_version,
        quantity_0,
    ],
)
def test_database_rejects(prepare):
    write_bad_row = prepare()

    with pytest.raises(IntegrityError), transaction.atomic():
        write_bad_row()


# ------------------------------------------------------------------------------ validation


def test_client_name_taken_in_another_case_is_reported_on_the_name(dental_practice):
    with pytest.raises(ValidationError) as error:
        Client(name="HARBOR DENTAL").full_clean()

    assert error.value.message_dict == {"name": ["A client named “HARBOR DENTAL” already exists."]}


def test_client_keeps_its_own_name_when_saved_again(dental_practice):
    dental_practice.name = "Harbor DENTAL"

    dental_practice.full_clean()


def test_second_primary_contact_is_reported_on_is_primary(dental_practice):
    ContactFactory(client=dental_practice, name="Ann Lee", is_primary=True)

    with pytest.raises(ValidationError) as error:
        Contact(client=dental_practice, name="Bo Chen", is_primary=True).full_clean()

    assert error.value.message_dict == {
        "is_primary": ["Ann Lee is already the primary contact of Harbor Dental."]
    }


def test_primary_contact_can_be_saved_again(dental_practice):
    primary = ContactFactory(client=dental_practice, is_primary=True)

    primary.full_clean()


def test_each_client_has_its_own_primary_contact(dental_practice):
    ContactFactory(client=dental_practice, is_primary=True)

    Contact(client=ClientFactory(), name="Bo Chen", is_primary=True).full_clean()


def test_technology_version_must_belong_to_the_skill(dental_practice, exchange_2016):
    windows_server = SkillFactory(name="Windows Server")
    windows_2019 = SkillVersionFactory(skill=windows_server, label="2019", rank=19)
    technology = ClientTechnology(
        client=dental_practice, skill=exchange_2016.skill, version=windows_2019
    )

    with pytest.raises(ValidationError) as error:
        technology.full_clean()

    assert error.value.message_dict == {
        "version": ["Version 2019 belongs to Windows Server, not Exchange."]
    }


@pytest.mark.parametrize(
    ("with_version", "message"),
    [
        (True, "This client already runs this version."),
        (False, "This client already runs this skill without a version."),
    ],
    ids=["with version", "without version"],
)
def test_technology_is_recorded_once_per_client_skill_and_version(
    dental_practice, exchange_2016, with_version, message
):
    version = exchange_2016 if with_version else None
    ClientTechnologyFactory(client=dental_practice, skill=exchange_2016.skill, version=version)

    with pytest.raises(ValidationError) as error:
        ClientTechnology(
            client=dental_practice, skill=exchange_2016.skill, version=version, quantity=2
        ).full_clean()

    assert error.value.message_dict == {NON_FIELD_ERRORS: [message]}


def test_client_may_run_several_versions_of_a_skill(dental_practice, exchange_2016):
    ClientTechnologyFactory(client=dental_practice, skill=exchange_2016.skill, version=None)
    ClientTechnologyFactory(
        client=dental_practice, skill=exchange_2016.skill, version=exchange_2016
    )
    exchange_2019 = SkillVersionFactory(skill=exchange_2016.skill, label="2019", rank=19)

    ClientTechnology(
        client=dental_practice, skill=exchange_2016.skill, version=exchange_2019
    ).full_clean()


def test_technology_quantity_is_at_least_1(dental_practice, exchange_2016):
    technology = ClientTechnology(client=dental_practice, skill=exchange_2016.skill, quantity=0)

    with pytest.raises(ValidationError) as error:
        technology.full_clean()

    assert error.value.message_dict == {"quantity": ["Quantity must be at least 1."]}


def test_technology_reads_as_skill_and_version(dental_practice, exchange_2016):
    with_version = ClientTechnology(skill=exchange_2016.skill, version=exchange_2016)
    without_version = ClientTechnology(skill=exchange_2016.skill)

    assert [str(with_version), str(without_version)] == ["Exchange 2016", "Exchange"]
