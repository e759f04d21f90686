import base64
from collections import Counter

import pytest

from agreements.connectors.http import (
    ConnectorError,
    CredentialsRefused,
    MalformedAnswer,
    VendorUnavailable,
)
from agreements.connectors.vendors import connectwise, vendor
from tests.agreements.connectors.vendors.fixtures import connectwise as answers

CREDENTIALS = {
    "company_id": "harborit",
    "public_key": "pUbL1cKey",
    "private_key": "cw-private-9d8c7b",
    "client_id": "0b1c2d3e-covered",
}
BASE = "/v4_6_release/apis/3.0"
SIGNED = {
    "Authorization": "Basic " + base64.b64encode(b"harborit+pUbL1cKey:cw-private-9d8c7b").decode(),
    "clientId": "0b1c2d3e-covered",
}


def lists():
    yield "/company/companies", answers.COMPANIES
    yield "/company/contacts", answers.CONTACTS
    yield "/finance/agreements", answers.AGREEMENTS
    yield "/system/members", answers.MEMBERS
    for agreement, pages in answers.ADDITIONS.items():
        yield f"/finance/agreements/{agreement}/additions", pages
    for member, pages in answers.SKILLS.items():
        yield f"/system/members/{member}/skills", pages
    for member, pages in answers.CERTIFICATIONS.items():
        yield f"/system/members/{member}/certifications", pages


def serve(httpserver):
    for path, pages in lists():
        for number, page in enumerate(pages, start=1):
            httpserver.expect_request(
                BASE + path, query_string={"page": str(number), "pageSize": "2"}, headers=SIGNED
            ).respond_with_json(page)


def opened(httpserver, http_options, credentials=CREDENTIALS):
    return connectwise.open(httpserver.url_for(BASE), credentials, **http_options)


def test_is_known_by_its_kind():
    assert vendor("connectwise") is connectwise
    assert connectwise.label == "ConnectWise PSA"
    assert connectwise.secret_keys == {"private_key"}
    assert [key for key, _ in connectwise.credential_fields] == list(CREDENTIALS)


def test_a_full_fetch_reads_every_page_of_every_list(httpserver, http_options):
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = connectwise.fetch(http, syncs=connectwise.syncs)

    assert records.rows == answers.EXPECTED_ROWS
    assert records.skipped == answers.EXPECTED_SKIPPED
    assert records.external_ids["clients"] == ["250", "251", "252", "254"]
    assert records.external_ids["agreements"] == ["40", "41"]
    assert records.names["agreement_types"] == Counter({"Managed Services": 1, "Backup": 1})
    assert records.names["additions"] == Counter({"M365-BP": 1, "EDR-SENTINEL": 1})
    assert records.names["skills"] == Counter({"Microsoft SQL Server": 2, "Dentrix": 1})
    assert records.names["skill_levels"] == Counter({"Advanced": 1, "Beginner": 1, "Expert": 1})
    assert records.names["certifications"] == Counter(
        {"Microsoft 365 Certified: Administrator Expert": 1}
    )


def test_syncing_agreements_only_reads_agreements_and_their_additions(httpserver, http_options):
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = connectwise.fetch(http, syncs=frozenset({"agreements"}))

    assert set(records.rows) == {"agreements"}
    assert {request.path for request, _ in httpserver.log} == {
        f"{BASE}/finance/agreements",
        f"{BASE}/finance/agreements/40/additions",
        f"{BASE}/finance/agreements/41/additions",
    }


def test_the_connection_test_counts_the_companies(httpserver, http_options):
    httpserver.expect_request(f"{BASE}/company/companies/count", headers=SIGNED).respond_with_json(
        {"count": 214}
    )

    with opened(httpserver, http_options) as http:
        assert connectwise.test(http) == "Found 214 companies."


def test_refused_credentials_are_said_plainly_without_the_secret(httpserver, http_options):
    httpserver.expect_request(f"{BASE}/company/companies/count").respond_with_json(
        {"code": "Unauthorized", "message": "Authentication failed."}, status=401
    )

    with opened(httpserver, http_options) as http, pytest.raises(CredentialsRefused) as raised:
        connectwise.test(http)

    assert "the credentials were refused" in str(raised.value)
    for value in CREDENTIALS.values():
        assert value not in str(raised.value)


def test_a_429_is_waited_for_as_long_as_retry_after_says_then_retried(
    httpserver, http_options, sleeps
):
    httpserver.expect_oneshot_request(
        f"{BASE}/company/companies", query_string={"page": "2", "pageSize": "2"}
    ).respond_with_data("Too many requests", status=429, headers={"Retry-After": "3"})
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = connectwise.fetch(http, syncs=frozenset({"clients"}))

    assert sleeps == [3.0]
    assert records.rows["clients"] == answers.EXPECTED_ROWS["clients"]


def test_a_5xx_on_the_third_page_is_retried_then_fails_cleanly(httpserver, http_options, sleeps):
    httpserver.expect_request(
        f"{BASE}/company/companies", query_string={"page": "3", "pageSize": "2"}
    ).respond_with_data("Service Unavailable", status=503)
    serve(httpserver)

    with opened(httpserver, http_options) as http, pytest.raises(VendorUnavailable) as raised:
        connectwise.fetch(http, syncs=connectwise.syncs)

    assert str(raised.value) == (
        f"{BASE}/company/companies failed on the vendor's side (HTTP 503); tried 3 times"
    )
    assert sleeps == [1.0, 2.0]


def test_an_answer_that_is_not_json_names_the_endpoint(httpserver, http_options):
    httpserver.expect_request(f"{BASE}/system/members").respond_with_data("{'id': 178,")

    with (
        opened(httpserver, http_options) as http,
        pytest.raises(MalformedAnswer, match=rf"^{BASE}/system/members did not answer in JSON$"),
    ):
        connectwise.fetch(http, syncs=frozenset({"technicians"}))


def test_a_missing_credential_is_named(httpserver, http_options):
    with pytest.raises(ConnectorError, match=r"^The private key is missing$"):
        opened(httpserver, http_options, {**CREDENTIALS, "private_key": " "})


def test_a_kind_read_and_found_empty_is_kept_apart_from_one_not_read(httpserver, http_options):
    httpserver.expect_request(f"{BASE}/system/members").respond_with_json([])

    with opened(httpserver, http_options) as http:
        records = connectwise.fetch(http, syncs=frozenset({"technicians"}))

    assert records.rows == {"technicians": [], "technician_skills": [], "certifications": []}
    assert records.external_ids == records.rows
