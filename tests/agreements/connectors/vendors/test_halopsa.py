from collections import Counter

import pytest

from agreements.connectors.http import CredentialsRefused, MalformedAnswer, VendorUnavailable
from agreements.connectors.vendors import halopsa, vendor
from tests.agreements.connectors.vendors.conftest import form_of, json_response
from tests.agreements.connectors.vendors.fixtures import halopsa as answers

CREDENTIALS = {"client_id": "covered-halo-client", "client_secret": "halo-secret-4d4e1f"}
BEARER = {"Authorization": "Bearer halo-access-token-1"}


def serve(httpserver, token=None):
    httpserver.expect_request("/auth/token", method="POST").respond_with_handler(
        token or (lambda request: json_response(answers.TOKEN))
    )
    lists = (
        ("/api/Client", answers.CLIENTS),
        ("/api/ClientContract", answers.CONTRACTS),
        ("/api/Agent", answers.AGENTS),
    )
    for path, pages in lists:
        for number, page in enumerate(pages, start=1):
            httpserver.expect_request(
                path,
                query_string={"pageinate": "true", "page_no": str(number), "page_size": "2"},
                headers=BEARER,
            ).respond_with_json(page)


def opened(httpserver, http_options):
    return halopsa.open(httpserver.url_for("/"), CREDENTIALS, **http_options)


def test_is_known_by_its_kind():
    assert vendor("halopsa") is halopsa
    assert halopsa.label == "HaloPSA"
    assert halopsa.secret_keys == {"client_secret"}
    assert {key for key, _ in halopsa.credential_fields} == set(CREDENTIALS)


def test_a_full_fetch_reads_every_page_of_clients_contracts_and_agents(httpserver, http_options):
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = halopsa.fetch(http, syncs=halopsa.syncs)

    assert records.rows == answers.EXPECTED_ROWS
    assert records.skipped == answers.EXPECTED_SKIPPED
    assert records.external_ids["agreements"] == ["101", "102"]
    assert records.names["agreement_types"] == Counter({"Managed Service Agreement": 1})


def test_the_token_is_asked_with_the_client_credentials(httpserver, http_options):
    serve(httpserver)

    opened(httpserver, http_options).close()

    (request, _), *_ = httpserver.log
    assert form_of(request) == {
        "grant_type": "client_credentials",
        "client_id": "covered-halo-client",
        "client_secret": "halo-secret-4d4e1f",
        "scope": "all",
    }


def test_syncing_technicians_only_reads_the_agents(httpserver, http_options):
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = halopsa.fetch(http, syncs=frozenset({"technicians"}))

    assert records.rows == {"technicians": answers.EXPECTED_ROWS["technicians"]}
    assert {request.path for request, _ in httpserver.log} == {"/auth/token", "/api/Agent"}


def test_the_connection_test_says_how_many_clients_it_found(httpserver, http_options):
    serve(httpserver)
    httpserver.expect_request(
        "/api/Client", query_string={"pageinate": "true", "page_size": "1", "page_no": "1"}
    ).respond_with_json(answers.clients_page(1, answers.CLIENTS[0]["clients"][:1]))

    with opened(httpserver, http_options) as http:
        assert halopsa.test(http) == "Found 5 clients."


def test_refused_credentials_are_said_plainly_without_the_secret(httpserver, http_options):
    serve(
        httpserver,
        token=lambda request: json_response(
            {"error": "invalid_client", "error_description": "Invalid client secret"}, 400
        ),
    )

    with pytest.raises(CredentialsRefused) as raised:
        opened(httpserver, http_options)

    assert "the credentials were refused" in str(raised.value)
    assert CREDENTIALS["client_secret"] not in str(raised.value)


def test_a_429_is_waited_for_as_long_as_retry_after_says_then_retried(
    httpserver, http_options, sleeps
):
    httpserver.expect_oneshot_request(
        "/api/ClientContract", query_string={"pageinate": "true", "page_no": "2", "page_size": "2"}
    ).respond_with_data("Too many requests", status=429, headers={"Retry-After": "9"})
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = halopsa.fetch(http, syncs=frozenset({"agreements"}))

    assert sleeps == [9.0]
    assert records.rows["agreements"] == answers.EXPECTED_ROWS["agreements"]


def test_a_5xx_on_the_third_page_is_retried_then_fails_cleanly(httpserver, http_options, sleeps):
    httpserver.expect_request(
        "/api/Client", query_string={"pageinate": "true", "page_no": "3", "page_size": "2"}
    ).respond_with_data("Gateway timeout", status=504)
    serve(httpserver)

    with opened(httpserver, http_options) as http, pytest.raises(VendorUnavailable) as raised:
        halopsa.fetch(http, syncs=halopsa.syncs)

    assert str(raised.value) == (
        "/api/Client failed on the vendor's side (HTTP 504); tried 3 times"
    )
    assert sleeps == [1.0, 2.0]


def test_an_answer_that_is_not_json_names_the_endpoint(httpserver, http_options):
    httpserver.expect_request("/auth/token").respond_with_json(answers.TOKEN)
    httpserver.expect_request("/api/Agent").respond_with_data("<!DOCTYPE html><title>Halo</title>")

    with (
        opened(httpserver, http_options) as http,
        pytest.raises(MalformedAnswer, match=r"^/api/Agent did not answer in JSON$"),
    ):
        halopsa.fetch(http, syncs=frozenset({"technicians"}))
