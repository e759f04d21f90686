import base64
from collections import Counter

import pytest

from agreements.connectors.http import CredentialsRefused, MalformedAnswer, VendorUnavailable
from agreements.connectors.vendors import datto, vendor
from tests.agreements.connectors.vendors.conftest import form_of, json_response
from tests.agreements.connectors.vendors.fixtures import datto as answers

CREDENTIALS = {"api_key": "DATTO-KEY-3K9", "api_secret": "datto-secret-b41c77"}
BEARER = {"Authorization": "Bearer datto-access-token-1"}
FRONT_SOFTWARE = "/api/v2/audit/device/9b0e-front-01/software"


def serve(httpserver, token=None):
    httpserver.expect_request("/auth/oauth/token", method="POST").respond_with_handler(
        token or (lambda request: json_response(answers.TOKEN))
    )
    for path, pages in answers.pages(httpserver.url_for).items():
        for number, answer in enumerate(pages):
            httpserver.expect_request(
                path, query_string={"max": "2", "page": str(number)}, headers=BEARER
            ).respond_with_json(answer)


def opened(httpserver, http_options, credentials=CREDENTIALS):
    return datto.open(httpserver.url_for("/"), credentials, **http_options)


def test_is_known_by_its_kind():
    assert vendor("datto") is datto
    assert datto.label == "Datto RMM"
    assert datto.secret_keys == {"api_secret"}
    assert {key for key, _ in datto.credential_fields} == set(CREDENTIALS)


def test_a_full_fetch_follows_every_next_page_into_client_and_environment_rows(
    httpserver, http_options
):
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = datto.fetch(http, syncs=datto.syncs)

    assert records.rows == {
        "clients": answers.EXPECTED_CLIENTS,
        "environment": answers.EXPECTED_ENVIRONMENT,
    }
    assert records.external_ids["clients"] == ["3f1c7a52-harbor", "8d2e-lakeside"]
    assert records.skipped == answers.EXPECTED_SKIPPED
    assert records.names["software_titles"]["Dentrix"] == 1
    assert sum(records.names["software_titles"].values()) == 6


def test_the_token_is_asked_by_the_password_grant_of_the_public_client(httpserver, http_options):
    serve(httpserver)

    opened(httpserver, http_options).close()

    (request, _), *_ = httpserver.log
    assert form_of(request) == {
        "grant_type": "password",
        "username": "DATTO-KEY-3K9",
        "password": "datto-secret-b41c77",
    }
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(
        b"public-client:public"
    ).decode("ascii")


def test_syncing_clients_only_reads_no_device(httpserver, http_options):
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = datto.fetch(http, syncs=frozenset({"clients"}))

    assert records.rows == {"clients": answers.EXPECTED_CLIENTS}
    assert Counter(records.names["software_titles"]) == Counter()
    assert {request.path for request, _ in httpserver.log} == {
        "/auth/oauth/token",
        "/api/v2/account/sites",
    }


def test_the_connection_test_says_how_many_sites_it_found(httpserver, http_options):
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        assert datto.test(http) == "Found 4 sites."


def test_refused_credentials_are_said_plainly_without_the_secret(httpserver, http_options):
    serve(httpserver, token=lambda request: json_response({"error": "unauthorized"}, 401))

    with pytest.raises(CredentialsRefused) as raised:
        opened(httpserver, http_options)

    assert "the credentials were refused" in str(raised.value)
    assert CREDENTIALS["api_secret"] not in str(raised.value)
    assert CREDENTIALS["api_key"] not in str(raised.value)


def test_a_429_is_waited_for_as_long_as_retry_after_says_then_retried(
    httpserver, http_options, sleeps
):
    httpserver.expect_oneshot_request(
        "/api/v2/account/sites", query_string={"max": "2", "page": "1"}
    ).respond_with_data("Too many requests", status=429, headers={"Retry-After": "12"})
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = datto.fetch(http, syncs=datto.syncs)

    assert sleeps == [12.0]
    assert records.skipped == answers.EXPECTED_SKIPPED


def test_a_5xx_on_the_third_page_is_retried_then_fails_cleanly(httpserver, http_options, sleeps):
    httpserver.expect_request(
        FRONT_SOFTWARE, query_string={"max": "2", "page": "2"}
    ).respond_with_data("Bad gateway", status=502)
    serve(httpserver)

    with opened(httpserver, http_options) as http, pytest.raises(VendorUnavailable) as raised:
        datto.fetch(http, syncs=datto.syncs)

    assert str(raised.value) == (
        f"{FRONT_SOFTWARE} failed on the vendor's side (HTTP 502); tried 3 times"
    )
    assert sleeps == [1.0, 2.0]


def test_an_answer_that_is_not_json_names_the_endpoint(httpserver, http_options):
    httpserver.expect_request("/auth/oauth/token").respond_with_json(answers.TOKEN)
    httpserver.expect_request("/api/v2/account/sites").respond_with_data(
        "<html><body>Maintenance</body></html>", content_type="text/html"
    )

    with (
        opened(httpserver, http_options) as http,
        pytest.raises(MalformedAnswer, match=r"^/api/v2/account/sites did not answer in JSON$"),
    ):
        datto.fetch(http, syncs=datto.syncs)


def test_a_page_without_its_list_names_the_endpoint(httpserver, http_options):
    httpserver.expect_request("/auth/oauth/token").respond_with_json(answers.TOKEN)
    httpserver.expect_request("/api/v2/account/sites").respond_with_json({"pageDetails": {}})

    with (
        opened(httpserver, http_options) as http,
        pytest.raises(MalformedAnswer, match="^/api/v2/account/sites did not answer with a list"),
    ):
        datto.fetch(http, syncs=datto.syncs)


def test_a_next_page_that_repeats_itself_stops_the_fetch(httpserver, http_options):
    httpserver.expect_request("/auth/oauth/token").respond_with_json(answers.TOKEN)
    loop = httpserver.url_for("/api/v2/account/sites?max=2&page=1")
    httpserver.expect_request("/api/v2/account/sites").respond_with_json(
        answers.page("sites", [], loop)
    )

    with (
        opened(httpserver, http_options) as http,
        pytest.raises(MalformedAnswer, match="the same page as its next page"),
    ):
        datto.fetch(http, syncs=frozenset({"clients"}))


def test_pages_are_asked_within_dattos_own_maximum_and_empty_kinds_are_kept(
    httpserver, http_options
):
    httpserver.expect_request("/auth/oauth/token").respond_with_json(answers.TOKEN)
    httpserver.expect_request(
        "/api/v2/account/sites", query_string={"max": "250", "page": "0"}, headers=BEARER
    ).respond_with_json(answers.page("sites", []))

    with opened(httpserver, {**http_options, "page_size": 5000}) as http:
        records = datto.fetch(http, syncs=datto.syncs)

    assert records.rows == {"clients": [], "environment": []}
