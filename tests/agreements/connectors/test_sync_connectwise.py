"""A sync from ConnectWise PSA on a local server (the vendor's shapes of
tests/agreements/connectors/vendors/fixtures/connectwise.py, served from lists the tests change):
the first stops at the preview and confirming writes clients, contacts, agreements and
technicians; the next ones apply renames and new agreements by themselves unless they would
remove too much; a vendor failing on the third page writes nothing."""

import copy
import datetime
import re

import pytest
from werkzeug import Request, Response

from agreements.connectors.models import Connection, SyncRun
from agreements.connectors.services import (
    connection_create,
    connection_mappings_set,
    sync_run_confirm,
)
from agreements.imports.models import ImportBatch
from agreements.models import Agreement, Service
from clients.models import Client, Contact
from skills.models import Skill, Technician, TechnicianSkill
from tests.agreements.connectors.syncing import flat, pk, refs, synced
from tests.agreements.connectors.vendors.conftest import json_response
from tests.agreements.connectors.vendors.fixtures import connectwise as answers

pytestmark = pytest.mark.django_db

BASE = "/v4_6_release/apis/3.0"
CREDENTIALS = {
    "company_id": "harborit",
    "public_key": "pUbL1cKey",
    "private_key": "cw-private-9d8c7b",
    "client_id": "0b1c2d3e-covered",
}


class ConnectWise:
    """ConnectWise's lists by path, paged by `page` and `pageSize` as the API does; `failing`
    names (path, page) answered with a 503."""

    def __init__(self):
        self.lists = {
            "/company/companies": flat(answers.COMPANIES),
            "/company/contacts": flat(answers.CONTACTS),
            "/finance/agreements": flat(answers.AGREEMENTS),
            "/system/members": flat(answers.MEMBERS),
        }
        for agreement, pages in answers.ADDITIONS.items():
            self.lists[f"/finance/agreements/{agreement}/additions"] = flat(pages)
        for member, pages in answers.SKILLS.items():
            self.lists[f"/system/members/{member}/skills"] = flat(pages)
        for member, pages in answers.CERTIFICATIONS.items():
            self.lists[f"/system/members/{member}/certifications"] = flat(pages)
        self.lists = copy.deepcopy(self.lists)
        self.failing: set[tuple[str, int]] = set()

    def __call__(self, request: Request) -> Response:
        path = request.path.removeprefix(BASE)
        page = int(request.args.get("page", "1"))
        size = int(request.args.get("pageSize", "25"))
        if (path, page) in self.failing:
            return Response("Service Unavailable", status=503)
        if path not in self.lists:
            return json_response({"code": "NotFound", "message": "Not found"}, status=404)
        return json_response(self.lists[path][(page - 1) * size : page * size])

    def record(self, path, id):
        return next(record for record in self.lists[path] if record["id"] == id)


@pytest.fixture
def connectwise(httpserver, settings):
    settings.CONNECTOR_PAGE_SIZE = 2
    vendor = ConnectWise()
    httpserver.expect_request(re.compile(f"^{BASE}/.*")).respond_with_handler(vendor)
    return vendor


@pytest.fixture
def psa(catalog, connectwise, httpserver, admin_user):
    connection = connection_create(
        kind="connectwise",
        name="Harbor PSA",
        base_url=httpserver.url_for(BASE),
        credentials=CREDENTIALS,
        syncs=["clients", "agreements", "technicians"],
        user=admin_user,
    )
    return connection_mappings_set(
        connection=connection,
        mappings={
            "services": {
                "Managed Services": pk(Service, "Help Desk"),
                "M365-BP": pk(Service, "Email & Microsoft 365 Administration"),
                "EDR-SENTINEL": 0,
                "Backup": pk(Service, "Backup & Disaster Recovery"),
            },
            "skills": {"Microsoft SQL Server": pk(Skill, "Microsoft SQL Server"), "Dentrix": 0},
            "skill_levels": {"Advanced": 4, "Expert": 5, "Beginner": 1},
        },
        user=admin_user,
    )


@pytest.fixture
def first_sync_applied(psa, admin_user):
    run = sync_run_confirm(run=synced(psa), user=admin_user)
    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    return run


def test_the_first_sync_stops_at_the_preview_and_writes_nothing(psa):
    run = synced(psa)

    assert run.status == SyncRun.Status.REVIEW, (run.error, run.notes)
    assert "first sync" in run.notes[0]
    assert run.counts["clients"]["new"] == 4
    assert run.counts["agreements"]["new"] == 2
    assert run.counts["technicians"]["new"] == 2
    assert not Client.objects.exists()
    assert not Agreement.objects.exists()
    assert not Technician.objects.exists()
    psa.refresh_from_db()
    assert psa.status == Connection.Status.REVIEW


def test_confirming_the_first_sync_writes_clients_contacts_agreements_and_technicians(
    first_sync_applied, psa
):
    assert set(Client.objects.values_list("name", flat=True)) == {
        "Harbor Dental Group",
        "Lakeside Logistics",
        "Northwind Legal",
        "Orchard Veterinary",
    }
    assert set(Contact.objects.values_list("client__name", "name", "email")) == {
        ("Harbor Dental Group", "Maya Okafor", "maya@harbordental.example"),
        ("Lakeside Logistics", "Tom Reyes", ""),
    }
    assert set(Agreement.objects.values_list("client__name", "title")) == {
        ("Harbor Dental Group", "Managed Services - Gold"),
        ("Lakeside Logistics", "Backup and Recovery"),
    }
    assert set(Technician.objects.values_list("email", flat=True)) == {
        "jae.kim@msp.example",
        "lena.park@msp.example",
    }
    assert set(refs(psa, Client)) == {"250", "251", "252", "254"}
    assert set(refs(psa, Agreement)) == {"40", "41"}
    assert set(refs(psa, Technician)) == {"178", "179"}
    harbor = Client.objects.get(name="Harbor Dental Group")
    assert harbor.history.first().history_user == psa.service_user


def test_a_second_sync_applies_a_company_rename_and_a_new_agreement_by_itself(
    first_sync_applied, psa, connectwise
):
    harbor = Client.objects.get(name="Harbor Dental Group")
    connectwise.record("/company/companies", 250)["name"] = "Harbor Dental Partners"
    for path in ("/company/contacts", "/finance/agreements"):
        for record in connectwise.lists[path]:
            if record.get("company", {}).get("id") == 250:
                record["company"]["name"] = "Harbor Dental Partners"
    connectwise.lists["/finance/agreements"].append(
        {
            "id": 43,
            "name": "Security Essentials",
            "type": {"id": 3, "name": "Managed Services"},
            "company": {"id": 252, "name": "Northwind Legal"},
            "startDate": "2026-01-01T00:00:00Z",
            "endDate": "2026-12-31T00:00:00Z",
            "agreementStatus": "Active",
            "billingCycle": {"id": 2, "name": "Monthly"},
            "billAmount": 400,
        }
    )
    connectwise.lists["/finance/agreements/43/additions"] = []

    run = synced(psa)

    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    harbor.refresh_from_db()
    assert harbor.name == "Harbor Dental Partners"
    assert Client.objects.count() == 4
    assert refs(psa, Client)["250"] == harbor.pk
    added = Agreement.objects.get(title="Security Essentials")
    assert added.client.name == "Northwind Legal"
    assert refs(psa, Agreement)["43"] == added.pk
    assert Agreement.objects.count() == 3
    assert harbor.history.first().history_user == psa.service_user


def test_a_sync_that_would_remove_too_many_clients_stops_for_review(
    first_sync_applied, psa, connectwise, settings
):
    settings.SYNC_REVIEW_REMOVALS_PERCENT = 20
    connectwise.lists["/company/companies"] = [
        record for record in connectwise.lists["/company/companies"] if record["id"] in (250, 253)
    ]

    run = synced(psa)

    assert run.status == SyncRun.Status.REVIEW, (run.error, run.notes)
    assert any("no longer lists 3 of the 4 clients" in note for note in run.notes), run.notes
    assert Client.objects.count() == 4
    psa.refresh_from_db()
    assert psa.status == Connection.Status.REVIEW


def test_a_5xx_on_the_third_page_fails_the_sync_cleanly_with_nothing_written(psa, connectwise):
    connectwise.failing.add(("/company/companies", 3))

    run = synced(psa)

    assert run.status == SyncRun.Status.FAILED
    assert run.error.startswith("ConnectWise PSA answered:"), run.error
    assert "HTTP 503" in run.error
    assert "Nothing was written" in run.error
    assert CREDENTIALS["private_key"] not in run.error
    assert not Client.objects.exists()
    assert not Technician.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_sync_that_changes_a_members_skill_level_leaves_assessed_on_as_it_was(
    first_sync_applied, psa, connectwise
):
    assessed = datetime.date(2025, 3, 14)
    sql = TechnicianSkill.objects.get(
        technician__email="jae.kim@msp.example", skill__name="Microsoft SQL Server"
    )
    assert sql.level == 4
    TechnicianSkill.objects.filter(pk=sql.pk).update(assessed_on=assessed)
    connectwise.lists["/system/members/178/skills"][0]["skillLevel"] = "Expert"

    run = synced(psa)

    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    assert run.counts["technician_skills"]["changed"] == 1
    sql.refresh_from_db()
    assert sql.level == 5
    assert sql.assessed_on == assessed


def test_a_contacts_new_email_and_an_agreements_new_title_update_the_same_rows(
    first_sync_applied, psa, connectwise
):
    maya = Contact.objects.get(email="maya@harbordental.example")
    gold = Agreement.objects.get(title="Managed Services - Gold")
    maya_items = connectwise.record("/company/contacts", 900)["communicationItems"]
    maya_items[2]["value"] = "maya.okafor@harbordental.example"
    connectwise.record("/finance/agreements", 40)["name"] = "Managed Services - Platinum"

    run = synced(psa)

    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    maya.refresh_from_db()
    gold.refresh_from_db()
    assert maya.email == "maya.okafor@harbordental.example"
    assert gold.title == "Managed Services - Platinum"
    assert Contact.objects.count() == 2
    assert Agreement.objects.count() == 2
    assert refs(psa, Contact)["900"] == maya.pk
    assert refs(psa, Agreement)["40"] == gold.pk
    assert run.counts["contacts"]["renamed"] == 1
    assert run.counts["agreements"]["renamed"] == 1
    assert gold.history.first().history_user == psa.service_user
