"""A sync from Datto RMM on a local server (the vendor's shapes of
tests/agreements/connectors/vendors/fixtures/datto.py, served from lists the tests change): the
first stops at the preview and confirming writes the sites as clients and their devices'
software as their environment; the next ones apply renames and new software by themselves unless
they would remove too much of a client's environment; a vendor failing on a later page writes
nothing."""

import copy
import re

import pytest
from werkzeug import Request, Response

from agreements.connectors.models import Connection, ExternalRef, SyncRun
from agreements.connectors.services import (
    connection_create,
    sync_run_confirm,
)
from agreements.imports.models import ImportBatch
from clients.models import Client, ClientTechnology
from tests.agreements.connectors.syncing import environment, refs, synced
from tests.agreements.connectors.vendors.conftest import form_of, json_response
from tests.agreements.connectors.vendors.fixtures import datto as answers

pytestmark = pytest.mark.django_db

CREDENTIALS = {"api_key": "DATTO-KEY-3K9", "api_secret": "datto-secret-b41c77"}
SITES = "/api/v2/account/sites"
DEVICES = re.compile(r"^/api/v2/site/[^/]+/devices$")
PUBLIC_CLIENT = "Basic cHVibGljLWNsaWVudDpwdWJsaWM="  # public-client:public


class Datto:
    """Datto RMM's lists by path, paged by `max` and `page` (from 0) with the next page's
    address in `pageDetails.nextPageUrl`, behind a token from the password grant of the public
    client; `failing` names (path, page) answered with a 503."""

    def __init__(self, url_for):
        self.url_for = url_for
        self.lists = copy.deepcopy(
            {
                path: [record for answer in pages for record in answer[key_of(path)]]
                for path, pages in answers.pages(url_for).items()
            }
        )
        self.failing: set[tuple[str, int]] = set()

    def token(self, request: Request) -> Response:
        granted = form_of(request) == {
            "grant_type": "password",
            "username": CREDENTIALS["api_key"],
            "password": CREDENTIALS["api_secret"],
        }
        if request.headers.get("Authorization") != PUBLIC_CLIENT or not granted:
            return json_response({"error": "unauthorized"}, status=401)
        return json_response(answers.TOKEN)

    def __call__(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {answers.TOKEN['access_token']}":
            return json_response({"error": "unauthorized"}, status=401)
        size = int(request.args["max"])
        page = int(request.args["page"])
        if (request.path, page) in self.failing:
            return Response("Service Unavailable", status=503)
        if request.path not in self.lists:
            return json_response({"message": "Not found"}, status=404)
        records = self.lists[request.path]
        following = (page + 1) * size < len(records)
        return json_response(
            answers.page(
                key_of(request.path),
                records[page * size : (page + 1) * size],
                self.url_for(f"{request.path}?max={size}&page={page + 1}") if following else None,
                total=len(records),
            )
        )

    def site(self, uid):
        return next(site for site in self.lists[SITES] if site["uid"] == uid)

    def software(self, device_uid):
        return self.lists[f"/api/v2/audit/device/{device_uid}/software"]


def key_of(path):
    if path == SITES:
        return "sites"
    return "devices" if DEVICES.match(path) else "software"


@pytest.fixture
def datto(httpserver, settings):
    settings.CONNECTOR_PAGE_SIZE = 2
    vendor = Datto(httpserver.url_for)
    httpserver.expect_request("/auth/oauth/token", method="POST").respond_with_handler(vendor.token)
    httpserver.expect_request(re.compile("^/api/v2/")).respond_with_handler(vendor)
    return vendor


@pytest.fixture
def rmm(catalog, datto, httpserver, admin_user):
    return connection_create(
        kind="datto",
        name="Harbor RMM",
        base_url=httpserver.url_for("/"),
        credentials=CREDENTIALS,
        syncs=["clients", "environments"],
        user=admin_user,
    )


@pytest.fixture
def first_sync_applied(rmm, admin_user):
    run = sync_run_confirm(run=synced(rmm), user=admin_user)
    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    return run


def test_the_first_sync_stops_at_the_preview_and_writes_nothing(rmm):
    run = synced(rmm)

    assert run.status == SyncRun.Status.REVIEW, (run.error, run.notes)
    assert "first sync" in run.notes[0]
    assert run.counts["clients"]["new"] == 2
    assert run.counts["environment"]["new"] == 3
    assert not Client.objects.exists()
    assert not ClientTechnology.objects.exists()
    assert not ExternalRef.objects.exists()
    rmm.refresh_from_db()
    assert rmm.status == Connection.Status.REVIEW


def test_confirming_the_first_sync_writes_the_sites_their_environment_and_vendor_ids(
    first_sync_applied, rmm
):
    assert set(Client.objects.values_list("name", flat=True)) == {
        "Harbor Dental Group",
        "Lakeside Logistics",
    }
    assert environment("Harbor Dental Group") == {
        ("Microsoft 365", "", 1),
        ("Dentrix", "", 1),
        ("Microsoft SQL Server", "2019", 1),
    }
    assert environment("Lakeside Logistics") == set()
    assert refs(rmm, Client) == {
        "3f1c7a52-harbor": Client.objects.get(name="Harbor Dental Group").pk,
        "8d2e-lakeside": Client.objects.get(name="Lakeside Logistics").pk,
    }
    harbor = Client.objects.get(name="Harbor Dental Group")
    assert harbor.history.first().history_user == rmm.service_user


def test_software_titles_the_catalog_does_not_know_are_counted_as_skipped_and_named(
    first_sync_applied,
):
    # Google Chrome, Adobe Acrobat Reader and Sage 50 Accounts.
    assert first_sync_applied.counts["environment"]["skipped"] == 3
    assert first_sync_applied.names["software_titles"]["Sage 50 Accounts"] == 1
    assert "Datto RMM skipped: Site 104: no name" in first_sync_applied.notes


def test_a_second_sync_applies_a_site_rename_and_new_software_by_itself(
    first_sync_applied, rmm, datto
):
    harbor = Client.objects.get(name="Harbor Dental Group")
    datto.site("3f1c7a52-harbor")["name"] = "Harbor Dental Partners"
    for device in datto.lists["/api/v2/site/3f1c7a52-harbor/devices"]:
        if "siteName" in device:
            device["siteName"] = "Harbor Dental Partners"
    datto.software("9b0e-srv-01").append(
        {"name": "Veeam Backup and Replication", "version": "12.1.2.172"}
    )

    run = synced(rmm)

    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    harbor.refresh_from_db()
    assert harbor.name == "Harbor Dental Partners"
    assert Client.objects.count() == 2
    assert refs(rmm, Client)["3f1c7a52-harbor"] == harbor.pk
    assert environment("Harbor Dental Partners") == {
        ("Microsoft 365", "", 1),
        ("Dentrix", "", 1),
        ("Microsoft SQL Server", "2019", 1),
        ("Veeam Backup & Replication", "12", 1),
    }
    assert ClientTechnology.objects.count() == 4
    assert harbor.history.first().history_user == rmm.service_user


def test_a_sync_that_would_remove_half_a_clients_environment_stops_for_review(
    first_sync_applied, rmm, datto
):
    before = environment("Harbor Dental Group")
    datto.software("9b0e-front-01").clear()

    run = synced(rmm)

    assert run.status == SyncRun.Status.REVIEW, (run.error, run.notes)
    assert any(
        "remove 2 of the 3 rows of Harbor Dental Group's environment" in note for note in run.notes
    ), run.notes
    assert environment("Harbor Dental Group") == before
    rmm.refresh_from_db()
    assert rmm.status == Connection.Status.REVIEW


def test_a_sync_where_a_site_lists_none_of_its_software_any_more_stops_for_review(
    first_sync_applied, rmm, datto
):
    before = environment("Harbor Dental Group")
    datto.lists["/api/v2/site/3f1c7a52-harbor/devices"].clear()

    run = synced(rmm)

    assert run.status == SyncRun.Status.REVIEW, (run.error, run.notes)
    assert any(
        "remove 3 of the 3 rows of Harbor Dental Group's environment" in note for note in run.notes
    ), run.notes
    assert environment("Harbor Dental Group") == before


def test_confirming_a_sync_where_a_site_lists_no_software_empties_its_environment(
    first_sync_applied, rmm, datto, admin_user
):
    datto.lists["/api/v2/site/3f1c7a52-harbor/devices"].clear()

    run = sync_run_confirm(run=synced(rmm), user=admin_user)

    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    assert run.counts["environment"]["removed"] == 3
    assert environment("Harbor Dental Group") == set()
    assert Client.objects.filter(name="Harbor Dental Group").exists()


def test_a_sync_where_no_site_lists_any_software_keeps_every_environment_and_says_so(
    first_sync_applied, rmm, datto
):
    before = {name: environment(name) for name in Client.objects.values_list("name", flat=True)}
    assert before["Harbor Dental Group"]
    for path in datto.lists:
        if DEVICES.match(path):
            datto.lists[path].clear()

    run = synced(rmm)

    assert run.status == SyncRun.Status.APPLIED, (run.error, run.notes)
    assert (
        "Datto RMM listed no software on any site: every client's environment was left as it was."
        in run.notes
    ), run.notes
    assert "environment" not in run.counts
    assert {name: environment(name) for name in before} == before


def test_a_503_on_a_later_page_fails_the_sync_cleanly_with_nothing_written(rmm, datto):
    datto.failing.add(("/api/v2/audit/device/9b0e-front-01/software", 2))

    run = synced(rmm)

    assert run.status == SyncRun.Status.FAILED
    assert run.error.startswith("Datto RMM answered:"), run.error
    assert "HTTP 503" in run.error
    assert "Nothing was written" in run.error
    assert CREDENTIALS["api_secret"] not in run.error
    assert not Client.objects.exists()
    assert not ClientTechnology.objects.exists()
    assert not ImportBatch.objects.exists()
