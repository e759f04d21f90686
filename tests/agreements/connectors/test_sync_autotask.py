"""A sync from Autotask on a local server (the vendor's shapes of
tests/agreements/connectors/vendors/fixtures/autotask.py, served from lists the tests change):
the first stops at the preview and confirming writes clients, contacts, agreements and
technicians; the next ones apply renames and new contracts by themselves unless they would
remove too much; a vendor failing on a later page writes nothing."""

import copy
import datetime
import json
import re
from decimal import Decimal
from urllib.parse import urlencode

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
from skills.models import Skill, Technician, TechnicianSkill
from tests.agreements.connectors.syncing import flat, pk, refs, synced
from tests.agreements.connectors.vendors.conftest import json_response
from tests.agreements.connectors.vendors.fixtures import autotask as answers

pytestmark = pytest.mark.django_db

LOOKUP = "/atservicesrest/v1.0/zoneInformation"
ZONE = "/zone2/atservicesrest/V1.0"
CREDENTIALS = {
    "username": "covered-api@harborit.example",
    "secret": "at-secret-Q7w2e9",
    "integration_code": "AT-TRACKING-5H2K",
}
SIGNED = {
    "ApiIntegrationCode": CREDENTIALS["integration_code"],
    "UserName": CREDENTIALS["username"],
    "Secret": CREDENTIALS["secret"],
}
# Autotask's own page size limit for a query.
MAX_RECORDS = 500


class Autotask:
    """Autotask's entities by name, answered as its REST API does: the API user's zone is looked
    up unsigned, then every call to the zone is signed with the user's headers. A query is
    POSTed with `MaxRecords` and a filter (of `gte` conditions here) and answers that many
    records in id order, with the address of the next page (read with GET), whose `paging`
    names the ids it holds.
    `failing` names the entities whose next pages answer 503."""

    def __init__(self, url_for):
        self.url_for = url_for
        self.entities = copy.deepcopy(
            {entity: flat(pages) for entity, pages in answers.ENTITIES.items()}
        )
        self.contract_fields = copy.deepcopy(answers.CONTRACT_FIELDS)
        self.failing: set[str] = set()

    def __call__(self, request: Request) -> Response:
        if request.path == LOOKUP:
            if request.args.get("user") != CREDENTIALS["username"]:
                return json_response({"errors": ["Zone information could not be determined"]}, 404)
            return json_response(answers.zone(self.url_for))
        if any(request.headers.get(header) != value for header, value in SIGNED.items()):
            return json_response({"errors": ["Unauthorized"]}, status=401)
        path = request.path.removeprefix(ZONE)
        if path == "/Contracts/entityInformation/fields" and request.method == "GET":
            return json_response(self.contract_fields)
        query = re.fullmatch(r"/(\w+)/query(/next)?", path)
        if query is None or query[1] not in self.entities:
            return json_response({"errors": [f"{path} was not found"]}, status=404)
        entity = query[1]
        if query[2] is None and request.method == "POST":
            return self.first_page(entity, request.get_json())
        if query[2] is not None and request.method == "GET":
            if entity in self.failing:
                return Response("Service Unavailable", status=503)
            paging = json.loads(request.args["paging"])
            return self.page(entity, paging["pageSize"], paging["nextIds"])
        return json_response({"errors": ["The method is not allowed"]}, status=405)

    def first_page(self, entity, body):
        size = min(int(body.get("MaxRecords") or MAX_RECORDS), MAX_RECORDS)
        wanted = [
            record
            for record in self.in_id_order(entity)
            if all(
                record.get(condition["field"]) >= condition["value"]
                for condition in body["filter"]
                if condition["op"] == "gte"
            )
        ]
        return self.page(entity, size, [record["id"] for record in wanted[:size]])

    def page(self, entity, size, ids):
        items = [record for record in self.in_id_order(entity) if record["id"] in ids]
        after = [
            record["id"] for record in self.in_id_order(entity) if ids and record["id"] > max(ids)
        ]
        next_url = None
        if after:
            paging = {"pageSize": size, "previousIds": ids, "nextIds": after[:size]}
            next_url = (
                self.url_for(f"{ZONE}/{entity}/query/next")
                + "?"
                + urlencode({"paging": json.dumps(paging)})
            )
        return json_response(answers.page(items, next_url))

    def in_id_order(self, entity):
        return sorted(self.entities[entity], key=lambda record: record["id"])

    def record(self, entity, id):
        return next(record for record in self.entities[entity] if record["id"] == id)


@pytest.fixture
def autotask(httpserver, settings):
    settings.CONNECTOR_PAGE_SIZE = 2
    vendor = Autotask(httpserver.url_for)
    httpserver.expect_request(LOOKUP).respond_with_handler(vendor)
    httpserver.expect_request(re.compile(f"^{ZONE}/.*")).respond_with_handler(vendor)
    return vendor


@pytest.fixture
def psa(catalog, autotask, httpserver, admin_user):
    connection = connection_create(
        kind="autotask",
        name="Harbor PSA",
        base_url=httpserver.url_for("/atservicesrest"),
        credentials=CREDENTIALS,
        syncs=["clients", "agreements", "technicians"],
        user=admin_user,
    )
    return connection_mappings_set(
        connection=connection,
        mappings={
            "services": {"Recurring Service": pk(Service, "Help Desk"), "Time & Materials": 0},
            "skills": {"Microsoft SQL Server": pk(Skill, "Microsoft SQL Server"), "Dentrix": 0},
            "skill_levels": {"3": 4, "1": 1},
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
    assert run.counts["clients"]["new"] == 4, run.notes
    assert run.counts["contacts"]["new"] == 2
    assert run.counts["agreements"]["new"] == 2
    assert run.counts["technicians"]["new"] == 2
    assert not Client.objects.exists()
    assert not Contact.objects.exists()
    assert not Agreement.objects.exists()
    assert not Technician.objects.exists()
    assert not ExternalRef.objects.exists()
    psa.refresh_from_db()
    assert psa.status == Connection.Status.REVIEW


def test_confirming_the_first_sync_writes_clients_contacts_agreements_and_technicians(
    first_sync_applied, psa
):
    assert set(Client.objects.values_list("name", "status", "phone", "address")) == {
        (row["name"], row["status"], row["phone"], row["address"])
        for row in answers.EXPECTED_ROWS["clients"]
    }
    # Autotask's web address is typed without its scheme, as people type it.
    assert Client.objects.get(name="Harbor Dental Group").website == "https://harbordental.example"
    assert set(Contact.objects.values_list("client__name", "name", "email", "phone", "role")) == {
        (row["client"], row["name"], row["email"], row["phone"], row["role"])
        for row in answers.EXPECTED_ROWS["contacts"]
    }
    assert Contact.objects.get(name="Maya Okafor").is_primary
    assert set(
        Agreement.objects.values_list(
            "client__name", "title", "status", "start_date", "end_date", "annual_value"
        )
    ) == {
        (
            "Harbor Dental Group",
            "Managed Services - Gold",
            "active",
            datetime.date(2025, 1, 1),
            datetime.date(2025, 12, 31),
            Decimal("18000.00"),
        ),
        (
            "Lakeside Logistics",
            "Break/fix hours",
            "cancelled",
            datetime.date(2024, 7, 1),
            None,
            Decimal("2400.00"),
        ),
    }
    gold = Agreement.objects.get(title="Managed Services - Gold")
    assert list(gold.agreement_services.values_list("service__name", flat=True)) == ["Help Desk"]
    assert not Agreement.objects.get(title="Break/fix hours").agreement_services.exists()
    assert set(Technician.objects.values_list("name", "email", "status")) == {
        ("Jae Kim", "jae.kim@msp.example", "active"),
        ("Lena Park", "lena.park@msp.example", "departed"),
    }
    assert list(
        TechnicianSkill.objects.values_list("technician__email", "skill__name", "level")
    ) == [("jae.kim@msp.example", "Microsoft SQL Server", 4)]
    assert refs(psa, Client) == {
        "29683501": pk(Client, "Harbor Dental Group"),
        "29683502": pk(Client, "Lakeside Logistics"),
        "29683503": pk(Client, "Northwind Legal"),
        "29683505": pk(Client, "Orchard Veterinary"),
    }
    assert refs(psa, Contact) == {
        "30682001": pk(Contact, "Maya Okafor"),
        "30682002": pk(Contact, "Tom Reyes"),
    }
    assert refs(psa, Agreement) == {
        "29684100": Agreement.objects.get(title="Managed Services - Gold").pk,
        "29684101": Agreement.objects.get(title="Break/fix hours").pk,
    }
    assert refs(psa, Technician) == {
        "29682885": Technician.objects.get(email="jae.kim@msp.example").pk,
        "29682886": Technician.objects.get(email="lena.park@msp.example").pk,
    }
    harbor = Client.objects.get(name="Harbor Dental Group")
    assert harbor.history.first().history_user == psa.service_user
    assert gold.history.first().history_user == psa.service_user


def test_a_second_sync_applies_a_company_rename_and_a_new_contract_by_itself(
    first_sync_applied, psa, autotask
):
    harbor = Client.objects.get(name="Harbor Dental Group")
    # Autotask names a company in its own record only: contacts and contracts give its id.
    autotask.record("Companies", 29683501)["companyName"] = "Harbor Dental Partners"
    autotask.entities["Contracts"].append(
        {
            "id": 29684103,
            "companyID": 29683503,
            "contractName": "Security Essentials",
            "contractType": 7,
            "status": 1,
            "startDate": "2026-01-01T00:00:00",
            "endDate": "2026-12-31T00:00:00",
            "estimatedRevenue": 4800.0,
            "contractCategory": 2,
        }
    )

    run = synced(psa)

    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    harbor.refresh_from_db()
    assert harbor.name == "Harbor Dental Partners"
    assert Client.objects.count() == 4
    assert refs(psa, Client)["29683501"] == harbor.pk
    assert set(harbor.contacts.values_list("name", flat=True)) == {"Maya Okafor"}
    assert set(harbor.agreements.values_list("title", flat=True)) == {"Managed Services - Gold"}
    added = Agreement.objects.get(title="Security Essentials")
    assert added.client.name == "Northwind Legal"
    assert added.annual_value == Decimal("4800.00")
    assert refs(psa, Agreement)["29684103"] == added.pk
    assert Agreement.objects.count() == 3
    assert Contact.objects.count() == 2
    assert Technician.objects.count() == 2
    assert ExternalRef.objects.filter(connection=psa).count() == 11
    assert harbor.history.first().history_user == psa.service_user


def test_a_sync_that_would_remove_most_companies_stops_for_review(
    first_sync_applied, psa, autotask, settings
):
    settings.SYNC_REVIEW_REMOVALS_PERCENT = 20
    autotask.entities["Companies"] = [
        record for record in autotask.entities["Companies"] if record["id"] in (29683501, 29683504)
    ]

    run = synced(psa)

    assert run.status == SyncRun.Status.REVIEW, (run.error, run.notes)
    assert any("no longer lists 3 of the 4 clients" in note for note in run.notes), run.notes
    assert Client.objects.count() == 4
    assert Agreement.objects.count() == 2
    assert ExternalRef.objects.filter(connection=psa).count() == 10
    psa.refresh_from_db()
    assert psa.status == Connection.Status.REVIEW


def test_a_503_on_a_later_page_fails_the_sync_cleanly_with_nothing_written(psa, autotask):
    autotask.failing.add("Contracts")

    run = synced(psa)

    assert run.status == SyncRun.Status.FAILED
    assert run.error.startswith("Autotask answered:"), run.error
    assert f"{ZONE}/Contracts/query/next" in run.error
    assert "HTTP 503" in run.error
    assert "Nothing was written" in run.error
    assert CREDENTIALS["secret"] not in run.error
    assert CREDENTIALS["integration_code"] not in run.error
    assert not Client.objects.exists()
    assert not Agreement.objects.exists()
    assert not ImportBatch.objects.exists()
    psa.refresh_from_db()
    assert psa.status == Connection.Status.FAILED
