"""A sync from NinjaOne on a local server: the first stops at the preview and confirming writes
it; the next ones apply by themselves (a rename, a new item) unless they would remove too much;
a vendor that refuses or fails writes nothing."""

import pytest
from django.contrib.contenttypes.models import ContentType

from agreements.connectors.models import Connection, ExternalRef, SyncRun
from agreements.connectors.services import sync_run_confirm
from agreements.imports.models import ImportBatch
from clients.models import Client, ClientTechnology
from skills.models import Skill
from skills.services import skill_alias_create
from tests.agreements.connectors.conftest import software
from tests.agreements.connectors.syncing import environment, synced

pytestmark = pytest.mark.django_db


@pytest.fixture
def first_sync_applied(catalog, connection, admin_user):
    run = synced(connection)
    return sync_run_confirm(run=run, user=admin_user)


def test_first_sync_stops_at_the_preview_and_writes_nothing(catalog, connection):
    run = synced(connection)

    assert run.status == SyncRun.Status.REVIEW
    assert "first sync" in run.notes[0]
    assert not Client.objects.exists()
    assert run.counts["clients"]["new"] == 2
    assert set(ImportBatch.objects.values_list("kind", "state")) == {
        ("clients", "ready"),
        ("environment", "ready"),
    }
    connection.refresh_from_db()
    assert connection.status == Connection.Status.REVIEW


def test_confirming_the_first_sync_writes_clients_environment_and_vendor_ids(
    first_sync_applied, connection
):
    assert first_sync_applied.status == SyncRun.Status.APPLIED, first_sync_applied.error
    assert set(Client.objects.values_list("name", flat=True)) == {
        "Northlight Architects",
        "Harbor Dental",
    }
    assert ("Windows", "11", 2) in environment("Northlight Architects")
    refs = ExternalRef.objects.filter(
        connection=connection, content_type=ContentType.objects.get_for_model(Client)
    )
    assert {(ref.external_id, ref.obj.name) for ref in refs} == {
        ("1", "Northlight Architects"),
        ("2", "Harbor Dental"),
    }
    history = Client.history.filter(name="Harbor Dental").first()
    assert history.history_user == connection.service_user
    assert first_sync_applied.counts["environment"]["skipped"] == 1  # Plotter Cafe Utility


def test_a_second_sync_applies_a_rename_and_a_new_item_by_itself(
    first_sync_applied, connection, ninjaone
):
    ninjaone.organizations[1]["name"] = "Harbor Dental Group"
    ninjaone.software.append(software(21, "QuickBooks Desktop Pro 2022", "32.0", "Intuit Inc."))
    harbor = Client.objects.get(name="Harbor Dental")

    run = synced(connection)

    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    harbor.refresh_from_db()
    assert harbor.name == "Harbor Dental Group"
    assert Client.objects.count() == 2
    assert ("QuickBooks Desktop", "2022", 1) in environment("Harbor Dental Group")
    assert harbor.history.first().history_user == connection.service_user


def test_a_sync_that_would_remove_half_a_clients_environment_stops_for_review(
    first_sync_applied, connection, ninjaone
):
    before = environment("Northlight Architects")
    ninjaone.software = [
        item for item in ninjaone.software if item["deviceId"] != 13 and item["deviceId"] != 11
    ]

    run = synced(connection)

    assert run.status == SyncRun.Status.REVIEW
    assert any("Northlight Architects's environment" in note for note in run.notes)
    assert environment("Northlight Architects") == before


def test_refused_credentials_say_so_and_write_nothing(catalog, connection, ninjaone):
    ninjaone.refuse_credentials = True

    run = synced(connection)

    assert run.status == SyncRun.Status.FAILED
    assert "the credentials were refused" in run.error
    assert not Client.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_vendor_failing_from_page_three_on_fails_the_sync_cleanly(
    catalog, connection, ninjaone, settings
):
    settings.CONNECTOR_PAGE_SIZE = 2
    ninjaone.failing_requests = set(range(3, 50))

    run = synced(connection)

    assert run.status == SyncRun.Status.FAILED
    assert run.error.startswith("NinjaOne answered:")
    assert "Nothing was written" in run.error
    assert not Client.objects.exists()
    assert not ClientTechnology.objects.exists()


def test_mapped_titles_are_remembered_for_the_next_sync(first_sync_applied, connection):
    skill_alias_create(
        skill=Skill.objects.get(name="Windows Server"), pattern="Plotter Cafe Utility"
    )

    run = synced(connection)

    assert run.status == SyncRun.Status.APPLIED
    assert any(skill == "Windows Server" for skill, _, _ in environment("Northlight Architects"))


def test_a_client_typed_by_hand_is_matched_on_its_name_the_first_time(
    catalog, connection, admin_user
):
    typed = Client.objects.create(name="harbor dental", industry="Dentistry")

    run = sync_run_confirm(run=synced(connection), user=admin_user)

    assert run.status == SyncRun.Status.APPLIED
    assert Client.objects.filter(name__iexact="harbor dental").count() == 1
    ref = ExternalRef.objects.get(connection=connection, external_id="2")
    assert ref.object_id == typed.pk
