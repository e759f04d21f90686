import pytest
from django.core.exceptions import ValidationError

from clients.models import Client, Contact
from core.services import RowChanges, model_create, row_changes_apply
from tests.clients.factories import ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_model_create_validates_before_saving():
    ClientFactory(name="Harbor Dental")

    with pytest.raises(ValidationError) as error:
        model_create(model=Client, fields={"name": "harbor dental"})

    assert error.value.message_dict == {"name": ["A client named “harbor dental” already exists."]}
    assert Client.objects.count() == 1


def test_model_create_saves_a_valid_row():
    client = model_create(model=Client, fields={"name": "Cedar Creek Vet"})

    assert Client.objects.get(pk=client.pk).name == "Cedar Creek Vet"


def test_row_changes_remove_update_and_add_rows_of_one_parent():
    client = ClientFactory()
    leaving, staying = ContactFactory(client=client), ContactFactory(client=client, name="Ann")

    row_changes_apply(
        RowChanges(
            added=[{"name": "Bo Lind"}],
            changed=[(staying, {"role": "Office manager"})],
            removed=[leaving],
        ),
        model=Contact,
        parent={"client": client},
    )

    assert sorted(client.contacts.values_list("name", "role")) == [
        ("Ann", "Office manager"),
        ("Bo Lind", ""),
    ]


def test_no_row_changes_are_falsy():
    assert not RowChanges()
    assert RowChanges(added=[{"name": "x"}])
