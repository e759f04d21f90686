"""Mappings of a PSA's names (ConnectWise PSA on a local server, in the vendors' tests' shapes):
the connection's page lists them with suggestions, and a sync writes agreements with our
services, technicians with our skills at our levels and our certifications; names left out
are dropped."""

import pytest
from django.urls import reverse

from agreements.connectors.models import SyncRun
from agreements.connectors.services import (
    connection_create,
    connection_mappings_set,
    sync_run_confirm,
    sync_run_execute,
    sync_run_start,
)
from agreements.models import Agreement, Service
from skills.models import Certification, Skill, Technician
from tests.agreements.connectors.vendors.test_connectwise import BASE, CREDENTIALS, serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def connectwise(catalog, httpserver, admin_user, settings):
    settings.CONNECTOR_PAGE_SIZE = 2
    serve(httpserver)
    return connection_create(
        kind="connectwise",
        name="Main PSA",
        base_url=httpserver.url_for(BASE),
        credentials=CREDENTIALS,
        syncs=["clients", "agreements", "technicians"],
        user=admin_user,
    )


def pk(model, name):
    return model.objects.get(name=name).pk


def synced(connection, user):
    run = sync_run_execute(
        run=sync_run_start(connection=connection, trigger=SyncRun.Trigger.MANUAL)
    )
    if run.status == SyncRun.Status.REVIEW:
        run = sync_run_confirm(run=run, user=user)
    return run


def test_a_sync_writes_through_the_mappings(connectwise, admin_user):
    connection_mappings_set(
        connection=connectwise,
        mappings={
            "services": {
                "Managed Services": pk(Service, "Help Desk"),
                "M365-BP": pk(Service, "Email & Microsoft 365 Administration"),
                "EDR-SENTINEL": 0,
                "Backup": pk(Service, "Backup & Disaster Recovery"),
            },
            "skills": {"Microsoft SQL Server": pk(Skill, "Microsoft SQL Server"), "Dentrix": 0},
            "skill_levels": {"Advanced": 4, "Expert": 5, "Beginner": 1},
            "certifications": {
                "Microsoft 365 Certified: Administrator Expert": pk(
                    Certification, "Microsoft 365 Certified: Modern Desktop Administrator Associate"
                )
            },
        },
        user=admin_user,
    )

    run = synced(connectwise, admin_user)

    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    gold = Agreement.objects.get(title="Managed Services - Gold")
    assert set(gold.services.values_list("name", flat=True)) == {
        "Help Desk",
        "Email & Microsoft 365 Administration",
    }
    jae = Technician.objects.get(email="jae.kim@msp.example")
    assert list(jae.skills.values_list("skill__name", "level")) == [("Microsoft SQL Server", 4)]
    assert list(jae.certifications.values_list("certification__name", flat=True)) == [
        "Microsoft 365 Certified: Modern Desktop Administrator Associate"
    ]
    assert run.counts["technician_skills"]["new"] == 2  # Dentrix left out


def test_unmapped_names_are_rows_left_out_with_their_reason(connectwise, admin_user):
    run = synced(connectwise, admin_user)

    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    assert run.counts["agreements"]["error"] == 2
    assert not Agreement.objects.exists()
    assert any(
        note.startswith("Left out:") and "is not a service of the catalog" in note
        for note in run.notes
    )
    assert Technician.objects.count() == 2  # the rest was written


def test_the_page_lists_the_vendors_names_with_suggestions_and_saves_them(
    connectwise, admin_user, client
):
    sync_run_execute(run=sync_run_start(connection=connectwise, trigger=SyncRun.Trigger.MANUAL))
    client.force_login(admin_user)
    url = reverse("connectors:detail", args=[connectwise.pk])

    page = client.get(url)

    form = page.context["mappings_form"]
    rows = {row["name"]: row for row in form.rows}
    assert {"Managed Services", "Backup", "Microsoft SQL Server", "Advanced"} <= set(rows)
    backup = rows["Backup"]["field"]
    assert form.initial[backup] == str(pk(Service, "Backup & Disaster Recovery"))
    sql = rows["Microsoft SQL Server"]["field"]
    assert form.initial[sql] == str(pk(Skill, "Microsoft SQL Server"))

    response = client.post(
        reverse("connectors:mappings", args=[connectwise.pk]),
        {backup: str(pk(Service, "Backup & Disaster Recovery")), sql: "0"},
    )

    assert response.status_code == 302
    connectwise.refresh_from_db()
    assert connectwise.mappings["services"] == {"Backup": pk(Service, "Backup & Disaster Recovery")}
    assert connectwise.mappings["skills"] == {"Microsoft SQL Server": 0}


def test_a_mapping_to_something_that_is_not_there_is_refused(connectwise, admin_user, client):
    sync_run_execute(run=sync_run_start(connection=connectwise, trigger=SyncRun.Trigger.MANUAL))
    client.force_login(admin_user)
    form = client.get(reverse("connectors:detail", args=[connectwise.pk])).context["mappings_form"]
    field = form.rows[0]["field"]

    response = client.post(
        reverse("connectors:mappings", args=[connectwise.pk]), {field: "999999"}, follow=True
    )

    assert "Choose each mapping among those offered." in response.content.decode()
    connectwise.refresh_from_db()
    assert connectwise.mappings == {}
