"""What a connection keeps is read-only in the forms, named beside the field, and a POST that
changes it is refused; the fields the vendor has not stay editable here."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.connectors.models import ExternalRef, SyncRun
from agreements.connectors.services import sync_run_confirm, sync_run_execute, sync_run_start
from clients.models import Client
from tests.agreements.api.conftest import token_for
from tests.clients.factories import ClientFactory, ContactFactory
from tests.html_forms import post_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbor(catalog, connection, admin_user):
    run = sync_run_start(connection=connection, trigger=SyncRun.Trigger.MANUAL)
    sync_run_confirm(run=sync_run_execute(run=run), user=admin_user)
    return Client.objects.get(name="Harbor Dental")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_synced_clients_name_is_read_only_and_says_who_manages_it(admin_client, harbor):
    page = admin_client.get(reverse("clients:update", args=[harbor.pk])).content.decode()

    assert "Managed by NinjaOne: Head office RMM" in page
    name_input = page[page.index('name="name"') - 200 : page.index('name="name"') + 200]
    assert "readonly" in name_input


def test_a_post_changing_a_managed_field_is_refused(admin_client, harbor):
    url = reverse("clients:update", args=[harbor.pk])
    data = post_form_data(admin_client.get(url).content.decode())
    data["name"] = "Renamed by hand"
    data["industry"] = "Dentistry"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "is managed by NinjaOne: Head office RMM" in response.content.decode()
    harbor.refresh_from_db()
    assert harbor.name == "Harbor Dental"
    assert harbor.industry == ""


def test_fields_the_vendor_has_not_are_edited_here(admin_client, harbor):
    url = reverse("clients:update", args=[harbor.pk])
    data = post_form_data(admin_client.get(url).content.decode())
    data["industry"] = "Dentistry"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    harbor.refresh_from_db()
    assert harbor.industry == "Dentistry"
    assert harbor.name == "Harbor Dental"


def test_a_client_typed_by_hand_keeps_every_field_editable(admin_client, catalog):
    client = Client.objects.create(name="Typed By Hand")

    page = admin_client.get(reverse("clients:update", args=[client.pk])).content.decode()

    assert "Managed by" not in page


@pytest.fixture
def kept_client(connection):
    """A client the connection keeps the name and website of, and one of its contacts."""
    client = ClientFactory(name="Harbor Dental", website="https://harbor.example", notes="")
    ExternalRef.objects.create(
        connection=connection, obj=client, external_id="2", fields=["name", "website"]
    )
    contact = ContactFactory(client=client, name="Maya Okafor", email="maya@harbor.example")
    ExternalRef.objects.create(
        connection=connection, obj=contact, external_id="900", fields=["name", "email"]
    )
    return client


@pytest.fixture
def api_as_consultant(consultant):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(consultant)}")
    return api


def test_an_api_patch_changing_a_kept_field_is_refused_and_changes_nothing(
    api_as_consultant, kept_client
):
    response = api_as_consultant.patch(
        f"/api/v1/clients/{kept_client.pk}/",
        {"name": "Renamed by hand", "notes": "Moved office"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "name": ["Name is managed by NinjaOne: Head office RMM: change it there."]
    }
    kept_client.refresh_from_db()
    assert (kept_client.name, kept_client.notes) == ("Harbor Dental", "")


def test_an_api_patch_of_the_fields_a_connection_does_not_keep_is_written(
    api_as_consultant, kept_client
):
    response = api_as_consultant.patch(
        f"/api/v1/clients/{kept_client.pk}/",
        {"name": "Harbor Dental", "website": "https://harbor.example", "notes": "Moved office"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    kept_client.refresh_from_db()
    assert kept_client.notes == "Moved office"


def test_an_api_patch_changing_a_kept_field_of_a_nested_contact_is_refused(
    api_as_consultant, kept_client
):
    contact = kept_client.contacts.get()

    response = api_as_consultant.patch(
        f"/api/v1/clients/{kept_client.pk}/",
        {"contacts": [{"id": contact.pk, "name": "Maya Okafor", "email": "maya@other.example"}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "contacts": {
            "0": {"email": ["Email is managed by NinjaOne: Head office RMM: change it there."]}
        }
    }
    contact.refresh_from_db()
    assert contact.email == "maya@harbor.example"
