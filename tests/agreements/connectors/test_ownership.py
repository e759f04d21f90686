"""What a connection keeps is read-only in the forms, named beside the field, and a POST that
changes it is refused; the fields the vendor has not stay editable here."""

import pytest
from django.urls import reverse

from agreements.connectors.models import SyncRun
from agreements.connectors.services import sync_run_confirm, sync_run_execute, sync_run_start
from clients.models import Client
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
