from collections import Counter

import pytest

from agreements.connectors.http import CredentialsRefused, MalformedAnswer, VendorUnavailable
from agreements.connectors.vendors import autotask, vendor
from tests.agreements.connectors.vendors.fixtures import autotask as answers

CREDENTIALS = {
    "username": "covered-api@harborit.example",
    "secret": "at-secret-Q7w2e9",
    "integration_code": "AT-TRACKING-5H2K",
}
SIGNED = {
    "ApiIntegrationCode": "AT-TRACKING-5H2K",
    "UserName": "covered-api@harborit.example",
    "Secret": "at-secret-Q7w2e9",
}
ZONE = "/zone2/atservicesrest/V1.0"


def serve(httpserver):
    httpserver.expect_request(
        "/atservicesrest/v1.0/zoneInformation", query_string={"user": CREDENTIALS["username"]}
    ).respond_with_json(answers.zone(httpserver.url_for))
    httpserver.expect_request(
        f"{ZONE}/Contracts/entityInformation/fields", headers=SIGNED
    ).respond_with_json(answers.CONTRACT_FIELDS)
    for entity, pages in answers.ENTITIES.items():
        query = f"{ZONE}/{entity}/query"
        for number, items in enumerate(pages):
            last = number == len(pages) - 1
            next_url = None if last else httpserver.url_for(f"{query}/next?paging={number + 1}")
            if number == 0:
                request = httpserver.expect_request(
                    query,
                    method="POST",
                    headers=SIGNED,
                    json={"MaxRecords": 2, "filter": [{"op": "gte", "field": "id", "value": 0}]},
                )
            else:
                request = httpserver.expect_request(
                    f"{query}/next", query_string={"paging": str(number)}, headers=SIGNED
                )
            request.respond_with_json(answers.page(items, next_url))


def opened(httpserver, http_options):
    return autotask.open(httpserver.url_for("/atservicesrest"), CREDENTIALS, **http_options)


def test_is_known_by_its_kind():
    assert vendor("autotask") is autotask
    assert autotask.label == "Autotask"
    assert autotask.secret_keys == {"secret", "integration_code"}
    assert {key for key, _ in autotask.credential_fields} == set(CREDENTIALS)


def test_a_full_fetch_reads_every_page_of_every_entity_in_the_users_zone(httpserver, http_options):
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = autotask.fetch(http, syncs=autotask.syncs)

    assert records.rows == answers.EXPECTED_ROWS
    assert records.skipped == answers.EXPECTED_SKIPPED
    assert records.external_ids["clients"] == ["29683501", "29683502", "29683503", "29683505"]
    assert records.names["agreement_types"] == Counter(
        {"Recurring Service": 1, "Time & Materials": 1}
    )
    assert records.names["skills"] == Counter({"Microsoft SQL Server": 1, "Dentrix": 1})
    assert records.names["skill_levels"] == Counter({"3": 1, "1": 1})


def test_the_zone_lookup_is_sent_no_secret(httpserver, http_options):
    serve(httpserver)

    opened(httpserver, http_options).close()

    (lookup, _), *_ = httpserver.log
    assert lookup.path == "/atservicesrest/v1.0/zoneInformation"
    assert "Secret" not in lookup.headers
    assert "ApiIntegrationCode" not in lookup.headers


def test_the_connection_test_counts_the_companies(httpserver, http_options):
    serve(httpserver)
    httpserver.expect_request(f"{ZONE}/Companies/query/count", headers=SIGNED).respond_with_json(
        {"queryCount": 57}
    )

    with opened(httpserver, http_options) as http:
        assert autotask.test(http) == "Found 57 companies."


def test_refused_credentials_are_said_plainly_without_the_secret(httpserver, http_options):
    httpserver.expect_request("/atservicesrest/v1.0/zoneInformation").respond_with_json(
        answers.zone(httpserver.url_for)
    )
    httpserver.expect_request(f"{ZONE}/Companies/query").respond_with_data(
        "Unauthorized", status=401
    )

    with opened(httpserver, http_options) as http, pytest.raises(CredentialsRefused) as raised:
        autotask.fetch(http, syncs=autotask.syncs)

    assert "the credentials were refused" in str(raised.value)
    assert CREDENTIALS["secret"] not in str(raised.value)
    assert CREDENTIALS["integration_code"] not in str(raised.value)


def test_a_429_is_waited_for_as_long_as_retry_after_says_then_retried(
    httpserver, http_options, sleeps
):
    httpserver.expect_oneshot_request(
        f"{ZONE}/Contacts/query/next", query_string={"paging": "1"}
    ).respond_with_data("Too many requests", status=429, headers={"Retry-After": "4"})
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = autotask.fetch(http, syncs=frozenset({"clients"}))

    assert sleeps == [4.0]
    assert records.rows["contacts"] == answers.EXPECTED_ROWS["contacts"]


def test_a_5xx_on_the_third_page_is_retried_then_fails_cleanly(httpserver, http_options, sleeps):
    httpserver.expect_request(
        f"{ZONE}/Companies/query/next", query_string={"paging": "2"}
    ).respond_with_data("Internal error", status=500)
    serve(httpserver)

    with opened(httpserver, http_options) as http, pytest.raises(VendorUnavailable) as raised:
        autotask.fetch(http, syncs=autotask.syncs)

    assert str(raised.value) == (
        f"{ZONE}/Companies/query/next failed on the vendor's side (HTTP 500); tried 3 times"
    )
    assert sleeps == [1.0, 2.0]


def test_an_answer_that_is_not_json_names_the_endpoint(httpserver, http_options):
    httpserver.expect_request("/atservicesrest/v1.0/zoneInformation").respond_with_json(
        answers.zone(httpserver.url_for)
    )
    httpserver.expect_request(f"{ZONE}/Companies/query").respond_with_data("items: none")

    with (
        opened(httpserver, http_options) as http,
        pytest.raises(MalformedAnswer, match=rf"^{ZONE}/Companies/query did not answer in JSON"),
    ):
        autotask.fetch(http, syncs=autotask.syncs)


def test_a_zone_answer_without_its_address_is_malformed(httpserver, http_options):
    httpserver.expect_request("/atservicesrest/v1.0/zoneInformation").respond_with_json(
        {"zoneName": "America East 2"}
    )

    with pytest.raises(MalformedAnswer, match="without the zone's address"):
        opened(httpserver, http_options)


def test_a_date_that_is_not_one_skips_the_contract_with_its_reason(httpserver, http_options):
    serve(httpserver)
    httpserver.clear_all_handlers()
    httpserver.expect_request("/atservicesrest/v1.0/zoneInformation").respond_with_json(
        answers.zone(httpserver.url_for)
    )
    httpserver.expect_request(f"{ZONE}/Companies/query").respond_with_json(
        answers.page(answers.COMPANIES[0])
    )
    httpserver.expect_request(f"{ZONE}/Contracts/entityInformation/fields").respond_with_json(
        answers.CONTRACT_FIELDS
    )
    contract = {**answers.CONTRACTS[0][0], "startDate": "2025-02-30T00:00:00"}
    httpserver.expect_request(f"{ZONE}/Contracts/query").respond_with_json(answers.page([contract]))

    with opened(httpserver, http_options) as http:
        records = autotask.fetch(http, syncs=frozenset({"agreements"}))

    assert records.rows == {"agreements": []}
    assert records.skipped == ["Contract 29684100 (Managed Services - Gold): no start date"]
