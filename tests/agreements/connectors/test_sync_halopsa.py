"""A sync from HaloPSA on a local server (the vendor's shapes of
tests/agreements/connectors/vendors/fixtures/halopsa.py, served from lists the tests change,
behind the client credentials token and paged as HaloPSA pages): the first stops at the preview
and confirming writes clients, agreements and technicians; the next ones apply renames and new
agreements by themselves unless they would remove too much; a vendor failing on the third page
writes nothing."""

import copy
import datetime
import re
from decimal import Decimal

import pytest
from werkzeug import Request, Response

from agreements.connectors.models import Connection, ExternalRef, SyncRun
from agreements.connectors.services import (
    connection_create,
    connection_mappings_set,
    sync_run_confirm,
)
from agreements.imports.models import ImportBatch
from agreements.models import Agreement, Service
from clients.models import Client, Contact
from skills.models import Technician
from tests.agreements.connectors.syncing import flat, pk, refs, synced
from tests.agreements.connectors.vendors.conftest import json_response
from tests.agreements.connectors.vendors.fixtures import halopsa as answers

pytestmark = pytest.mark.django_db

CREDENTIALS = {"client_id": "covered-halo-client", "client_secret": "halo-secret-4d4e1f"}


class HaloPSA:
    """HaloPSA's token endpoint and its lists by path. A list answers only a request signed with
    the token it gave and paged as HaloPSA pages (`pageinate=true`, `page_size`, `page_no` from
    1): clients and contracts under their key with the record count, agents as a plain list.
    `failing` names (path, page) answered with a 503."""

    KEYS = {"/api/Client": "clients", "/api/ClientContract": "contracts", "/api/Agent": None}

    def __init__(self):
        self.lists = copy.deepcopy(
            {
                "/api/Client": flat(answers.CLIENTS, "clients"),
                "/api/ClientContract": flat(answers.CONTRACTS, "contracts"),
                "/api/Agent": flat(answers.AGENTS),
            }
        )
        self.failing: set[tuple[str, int]] = set()

    def __call__(self, request: Request) -> Response:
        if request.path == "/auth/token":
            return self.token(request)
        if request.headers.get("Authorization") != f"Bearer {answers.TOKEN['access_token']}":
            return json_response({"message": "Unauthorized"}, status=401)
        if request.path not in self.lists:
            return json_response({"message": "Not found"}, status=404)
        args = request.args
        if args.get("pageinate") != "true" or not {"page_no", "page_size"} <= set(args):
            return json_response({"message": "Only paged requests are answered here"}, 400)
        page, size = int(args["page_no"]), int(args["page_size"])
        if (request.path, page) in self.failing:
            return Response("Service Unavailable", status=503)
        records = self.lists[request.path]
        shown = records[(page - 1) * size : page * size]
        key = self.KEYS[request.path]
        if key is None:
            return json_response(shown)
        return json_response(
            {"page_no": page, "page_size": size, "record_count": len(records), key: shown}
        )

    def token(self, request: Request) -> Response:
        asked = dict(request.form.items())
        if request.method != "POST" or asked != {
            "grant_type": "client_credentials",
            **CREDENTIALS,
            "scope": "all",
        }:
            return json_response({"error": "invalid_client"}, status=400)
        return json_response(answers.TOKEN)

    def record(self, path, id):
        return next(record for record in self.lists[path] if record["id"] == id)


@pytest.fixture
def halopsa(httpserver, settings):
    settings.CONNECTOR_PAGE_SIZE = 2
    vendor = HaloPSA()
    httpserver.expect_request(re.compile("^/(auth|api)/.*")).respond_with_handler(vendor)
    return vendor


@pytest.fixture
def psa(catalog, halopsa, httpserver, admin_user):
    connection = connection_create(
        kind="halopsa",
        name="Halo Service Desk",
        base_url=httpserver.url_for("/"),
        credentials=CREDENTIALS,
        syncs=["clients", "agreements", "technicians"],
        user=admin_user,
    )
    return connection_mappings_set(
        connection=connection,
        mappings={"services": {"Managed Service Agreement": pk(Service, "Help Desk")}},
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
    assert [f"HaloPSA skipped: {reason}" for reason in answers.EXPECTED_SKIPPED] == [
        note for note in run.notes if note.startswith("HaloPSA skipped:")
    ]
    assert not Client.objects.exists()
    assert not Agreement.objects.exists()
    assert not Technician.objects.exists()
    assert not ExternalRef.objects.exists()
    psa.refresh_from_db()
    assert psa.status == Connection.Status.REVIEW


def test_confirming_the_first_sync_writes_clients_agreements_and_technicians(
    first_sync_applied, psa
):
    assert set(Client.objects.values_list("name", "status")) == {
        ("Harbor Dental Group", "active"),
        ("Lakeside Logistics", "former"),
        ("Northwind Legal", "active"),
        ("Orchard Veterinary", "active"),
    }
    # HaloPSA's module reads no contacts.
    assert not Contact.objects.exists()
    assert set(
        Agreement.objects.values_list(
            "client__name", "title", "status", "start_date", "end_date", "billing_cycle"
        )
    ) == {
        (
            "Harbor Dental Group",
            "HDG-MSP-2025",
            "active",
            datetime.date(2025, 1, 1),
            datetime.date(2025, 12, 31),
            "monthly",
        ),
        (
            "Lakeside Logistics",
            "LL-BACKUP",
            "expired",
            datetime.date(2024, 4, 1),
            None,
            "quarterly",
        ),
    }
    managed = Agreement.objects.get(title="HDG-MSP-2025")
    assert managed.annual_value == Decimal("18000.00")
    assert list(managed.services.values_list("name", flat=True)) == ["Help Desk"]
    assert Agreement.objects.get(title="LL-BACKUP").annual_value == Decimal("2400.00")
    assert set(Technician.objects.values_list("name", "email", "status")) == {
        ("Jae Kim", "jae.kim@msp.example", "active"),
        ("Lena Park", "lena.park@msp.example", "departed"),
    }
    assert refs(psa, Client) == {
        str(id): pk(Client, name)
        for id, name in (
            (12, "Harbor Dental Group"),
            (13, "Lakeside Logistics"),
            (14, "Northwind Legal"),
            (16, "Orchard Veterinary"),
        )
    }
    assert refs(psa, Agreement) == {
        "101": managed.pk,
        "102": Agreement.objects.get(title="LL-BACKUP").pk,
    }
    assert refs(psa, Technician) == {
        "2": Technician.objects.get(email="jae.kim@msp.example").pk,
        "3": Technician.objects.get(email="lena.park@msp.example").pk,
    }
    assert not refs(psa, Contact)
    for instance in (Client.objects.get(name="Harbor Dental Group"), managed):
        assert instance.history.first().history_user == psa.service_user


def test_a_second_sync_applies_a_client_rename_and_a_new_contract_by_itself(
    first_sync_applied, psa, halopsa
):
    harbor = Client.objects.get(name="Harbor Dental Group")
    halopsa.record("/api/Client", 12)["name"] = "Harbor Dental Partners"
    for contract in halopsa.lists["/api/ClientContract"]:
        if contract["client_id"] == 12:
            contract["client_name"] = "Harbor Dental Partners"
    halopsa.lists["/api/ClientContract"].append(
        {
            "id": 104,
            "client_id": 12,
            "client_name": "Harbor Dental Partners",
            "ref": "HDG-SECURITY",
            "start_date": "2026-01-01T00:00:00",
            "end_date": "2026-12-31T00:00:00",
            "started": True,
            "expired": False,
            "active": True,
            "billingperiod": 3,
            "periodchargeamount": 4800.0,
            "contracttype": 4,
            "contracttype_name": "Managed Service Agreement",
        }
    )

    run = synced(psa)

    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    assert run.counts["clients"]["renamed"] == 1
    harbor.refresh_from_db()
    assert harbor.name == "Harbor Dental Partners"
    assert Client.objects.count() == 4
    assert refs(psa, Client)["12"] == harbor.pk
    added = Agreement.objects.get(title="HDG-SECURITY")
    assert added.client == harbor
    assert added.annual_value == Decimal("4800.00")
    assert refs(psa, Agreement)["104"] == added.pk
    assert Agreement.objects.count() == 3
    assert set(harbor.agreements.values_list("title", flat=True)) == {
        "HDG-MSP-2025",
        "HDG-SECURITY",
    }
    assert ExternalRef.objects.filter(connection=psa).count() == 4 + 3 + 2
    assert harbor.history.first().history_user == psa.service_user


def test_a_sync_that_would_remove_too_many_clients_stops_for_review(
    first_sync_applied, psa, halopsa, settings
):
    settings.SYNC_REVIEW_REMOVALS_PERCENT = 20
    halopsa.lists["/api/Client"] = [
        record for record in halopsa.lists["/api/Client"] if record["id"] in (15, 16)
    ]

    run = synced(psa)

    assert run.status == SyncRun.Status.REVIEW, (run.error, run.notes)
    assert any("no longer lists 3 of the 4 clients" in note for note in run.notes), run.notes
    assert Client.objects.count() == 4
    assert Agreement.objects.count() == 2
    assert len(refs(psa, Client)) == 4
    psa.refresh_from_db()
    assert psa.status == Connection.Status.REVIEW


def test_a_5xx_on_the_third_page_fails_the_sync_cleanly_with_nothing_written(psa, halopsa):
    halopsa.failing.add(("/api/Client", 3))

    run = synced(psa)

    assert run.status == SyncRun.Status.FAILED
    assert run.error.startswith("HaloPSA answered:"), run.error
    assert "/api/Client" in run.error
    assert "HTTP 503" in run.error
    assert "Nothing was written" in run.error
    assert CREDENTIALS["client_secret"] not in run.error
    assert answers.TOKEN["access_token"] not in run.error
    assert not Client.objects.exists()
    assert not Technician.objects.exists()
    assert not ImportBatch.objects.exists()
    psa.refresh_from_db()
    assert psa.status == Connection.Status.FAILED


def test_a_contracts_new_reference_and_an_agents_new_email_update_the_same_rows(
    first_sync_applied, psa, halopsa
):
    managed = Agreement.objects.get(title="HDG-MSP-2025")
    jae = Technician.objects.get(email="jae.kim@msp.example")
    halopsa.record("/api/ClientContract", 101)["ref"] = "HDG-MSP-2026"
    halopsa.record("/api/Agent", 2)["email"] = "jae.kim@harbor-msp.example"

    run = synced(psa)

    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    managed.refresh_from_db()
    jae.refresh_from_db()
    assert managed.title == "HDG-MSP-2026"
    assert jae.email == "jae.kim@harbor-msp.example"
    assert Agreement.objects.count() == 2
    assert Technician.objects.count() == 2
    assert refs(psa, Agreement)["101"] == managed.pk
    assert refs(psa, Technician)["2"] == jae.pk
    assert run.counts["agreements"]["renamed"] == 1
    assert run.counts["technicians"]["renamed"] == 1
