"""The connections' pages: admin-only with the second factor; credentials never shown again,
in any page, log, history row, API answer or error; private addresses refused outside tests."""

import logging

import pytest
from django.urls import reverse

from agreements.connectors.models import Connection, SyncRun
from tests.agreements.connectors.conftest import SECRET
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def connection_pages(connection):
    return [
        reverse("connectors:list"),
        reverse("connectors:detail", args=[connection.pk]),
        reverse("connectors:edit", args=[connection.pk]),
        reverse("admin:agreements_connection_change", args=[connection.pk]),
        reverse("admin:agreements_connection_history", args=[connection.pk]),
        reverse("admin:agreements_syncrun_changelist"),
    ]


@pytest.mark.parametrize("role", [None, "consultant", "viewer"])
def test_others_than_admins_cannot_open_the_pages(browse, role, connection):
    response = browse(role).get(reverse("connectors:detail", args=[connection.pk]))

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "login" in response["Location"]


def test_staff_without_the_second_factor_are_sent_to_give_it(client, django_user_model, connection):
    staff = make_user(django_user_model, "sam.staff", is_staff=True, is_superuser=True)
    client.force_login(staff)

    response = client.get(reverse("connectors:list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_admin_adds_a_connection_whose_credentials_are_not_shown_again(
    admin_client, httpserver, ninjaone
):
    response = admin_client.post(
        reverse("connectors:add") + "?kind=ninjaone",
        {
            "name": "Head office RMM",
            "base_url": httpserver.url_for("/"),
            "credential_client_id": "covered-sync",
            "credential_client_secret": SECRET,
            "syncs": ["clients", "environments"],
            "schedule_enabled": "on",
            "schedule_time": "01:00",
        },
    )

    connection = Connection.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert connection.credentials == {"client_id": "covered-sync", "client_secret": SECRET}
    edit = admin_client.get(reverse("connectors:edit", args=[connection.pk])).content.decode()
    assert SECRET not in edit and "covered-sync" not in edit
    assert "Saved — enter a new value to replace it." in edit


def test_a_blank_credential_keeps_the_saved_one(admin_client, connection):
    response = admin_client.post(
        reverse("connectors:edit", args=[connection.pk]),
        {
            "name": "Renamed RMM",
            "base_url": connection.base_url,
            "credential_client_id": "",
            "credential_client_secret": "",
            "syncs": ["clients"],
            "schedule_time": "01:00",
        },
    )

    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.name == "Renamed RMM"
    assert connection.credentials["client_secret"] == SECRET


def test_the_credentials_are_encrypted_in_the_database(connection):
    from django.db import connection as database

    with database.cursor() as cursor:
        cursor.execute(
            "SELECT credentials::text FROM agreements_connection WHERE id = %s", [connection.pk]
        )
        stored = cursor.fetchone()[0]

    assert SECRET not in stored
    assert "client_secret" in stored


def test_a_private_address_is_refused_unless_allowed(admin_client, settings):
    settings.CONNECTOR_ALLOW_PRIVATE_HOSTS = False

    response = admin_client.post(
        reverse("connectors:add") + "?kind=ninjaone",
        {
            "name": "Sneaky",
            "base_url": "http://127.0.0.1:8000/",
            "credential_client_id": "x",
            "credential_client_secret": "y",
            "syncs": ["clients"],
            "schedule_time": "01:00",
        },
    )

    assert response.status_code == 200
    assert "only hosts on the public internet may be used" in response.content.decode()
    assert not Connection.objects.exists()


def test_test_connection_says_what_it_found(admin_client, connection):
    response = admin_client.post(reverse("connectors:test", args=[connection.pk]), follow=True)

    assert "Found 2 organizations." in response.content.decode()


def test_after_a_failing_sync_the_secret_is_nowhere(
    admin_client, connection, ninjaone, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    ninjaone.refuse_credentials = True
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("connectors:sync", args=[connection.pk]))
    admin_client.post(reverse("connectors:test", args=[connection.pk]))

    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.FAILED
    assert "the credentials were refused" in run.error
    bodies = [admin_client.get(page).content.decode() for page in connection_pages(connection)]
    bodies.append(
        admin_client.get(reverse("connectors:detail", args=[connection.pk])).content.decode()
    )
    assert "the credentials were refused" in bodies[1]
    for body in bodies:
        assert SECRET not in body
    assert all(SECRET not in record.getMessage() for record in caplog.records)
    for row in Connection.history.all():
        assert SECRET not in str(row.__dict__)
    assert SECRET not in run.error + str(run.notes)
    api = admin_client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert SECRET not in api.content.decode()


def test_django_admin_takes_a_new_credential_and_never_shows_the_saved_one(
    admin_client, connection
):
    url = reverse("admin:agreements_connection_change", args=[connection.pk])
    page = admin_client.get(url).content.decode()
    assert SECRET not in page and "covered-sync" not in page

    response = admin_client.post(
        url,
        {
            "name": connection.name,
            "base_url": connection.base_url,
            "schedule_enabled": "on",
            "schedule_time": "01:00",
            "credential_client_id": "",
            "credential_client_secret": "a-new-secret-value",
        },
    )

    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.credentials == {
        "client_id": "covered-sync",
        "client_secret": "a-new-secret-value",
    }
