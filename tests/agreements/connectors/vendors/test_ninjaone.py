from collections import Counter

import pytest

from agreements.connectors.http import (
    ConnectorError,
    CredentialsRefused,
    MalformedAnswer,
    SyncTimeLimit,
    VendorUnavailable,
)
from agreements.connectors.vendors import ninjaone, vendor
from tests.agreements.connectors.vendors.conftest import Pages, form_of, json_response
from tests.agreements.connectors.vendors.fixtures import ninjaone as answers

CREDENTIALS = {"client_id": "covered-ninja-client", "client_secret": "ninja-secret-7f3e9a"}
BEARER = {"Authorization": "Bearer ninja-access-token-1"}


def serve(httpserver, *, software=None, token=None):
    httpserver.expect_request("/ws/oauth/token", method="POST").respond_with_handler(
        token or (lambda request: json_response(answers.TOKEN))
    )
    lists = (("/v2/organizations", answers.ORGANIZATIONS), ("/v2/devices", answers.DEVICES))
    for path, pages in lists:
        after = None
        for page in pages:
            query = {"pageSize": "2"} if after is None else {"pageSize": "2", "after": str(after)}
            httpserver.expect_request(path, query_string=query, headers=BEARER).respond_with_json(
                page
            )
            after = page[-1]["id"] if page else None
    httpserver.expect_request(
        "/v2/queries/software", query_string={"pageSize": "2"}, headers=BEARER
    ).respond_with_json(answers.SOFTWARE[0])
    httpserver.expect_request(
        "/v2/queries/software",
        query_string={"pageSize": "2", "cursor": answers.CURSOR["name"]},
        headers=BEARER,
    ).respond_with_handler(software or Pages(*answers.SOFTWARE[1:]))


def opened(httpserver, http_options, credentials=CREDENTIALS):
    return ninjaone.open(httpserver.url_for("/"), credentials, **http_options)


def test_is_known_by_its_kind():
    assert vendor("ninjaone") is ninjaone
    assert ninjaone.label == "NinjaOne"
    assert ninjaone.secret_keys == {"client_secret"}
    assert {key for key, _ in ninjaone.credential_fields} == set(CREDENTIALS)


def test_a_full_fetch_reads_every_page_into_client_and_environment_rows(httpserver, http_options):
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = ninjaone.fetch(http, syncs=frozenset({"clients", "environments"}))

    assert records.rows == {
        "clients": answers.EXPECTED_CLIENTS,
        "environment": answers.EXPECTED_ENVIRONMENT,
    }
    assert records.external_ids["clients"] == ["1", "2"]
    assert len(records.external_ids["environment"]) == 4
    assert records.skipped == answers.EXPECTED_SKIPPED
    assert records.names["software_titles"] == Counter(
        {
            "Microsoft 365 Apps for enterprise - en-us": 1,
            "Dentrix": 1,
            "Microsoft SQL Server 2019 (64-bit)": 1,
            "Sage 50 Accounts": 1,
        }
    )


def test_the_token_is_asked_with_the_client_credentials_and_the_monitoring_scope(
    httpserver, http_options
):
    serve(httpserver)

    opened(httpserver, http_options).close()

    (request, _), *_ = httpserver.log
    assert form_of(request) == {
        "grant_type": "client_credentials",
        "client_id": "covered-ninja-client",
        "client_secret": "ninja-secret-7f3e9a",
        "scope": "monitoring",
    }


def test_syncing_clients_only_reads_no_device(httpserver, http_options):
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = ninjaone.fetch(http, syncs=frozenset({"clients"}))

    assert records.rows == {"clients": answers.EXPECTED_CLIENTS}
    assert not [request for request, _ in httpserver.log if request.path == "/v2/devices"]


def test_the_connection_test_says_how_many_organizations_it_found(httpserver, http_options):
    serve(httpserver)
    httpserver.expect_request(
        "/v2/organizations", query_string={"pageSize": "100"}, headers=BEARER
    ).respond_with_json(answers.ORGANIZATIONS[0])

    with opened(httpserver, {**http_options, "page_size": 100}) as http:
        assert ninjaone.test(http) == "Found 2 organizations."


@pytest.mark.parametrize(
    "refusal",
    [
        json_response({"error": "unauthorized"}, 401),
        json_response({"error": "invalid_client"}, 400),
    ],
)
def test_refused_credentials_are_said_plainly_without_the_secret(httpserver, http_options, refusal):
    serve(httpserver, token=lambda request: refusal)

    with pytest.raises(CredentialsRefused) as raised:
        opened(httpserver, http_options)

    assert "the credentials were refused" in str(raised.value)
    assert CREDENTIALS["client_secret"] not in str(raised.value)
    assert len(httpserver.log) == 1


def test_a_401_after_the_token_is_credentials_refused(httpserver, http_options):
    httpserver.expect_request("/ws/oauth/token").respond_with_json(answers.TOKEN)
    httpserver.expect_request("/v2/organizations").respond_with_data("Unauthorized", status=401)

    with (
        opened(httpserver, http_options) as http,
        pytest.raises(CredentialsRefused, match="the credentials were refused"),
    ):
        ninjaone.fetch(http, syncs=ninjaone.syncs)


def test_a_429_is_waited_for_as_long_as_retry_after_says_then_retried(
    httpserver, http_options, sleeps
):
    httpserver.expect_oneshot_request(
        "/v2/devices", query_string={"pageSize": "2", "after": "12"}
    ).respond_with_data("Too many requests", status=429, headers={"Retry-After": "5"})
    serve(httpserver)

    with opened(httpserver, http_options) as http:
        records = ninjaone.fetch(http, syncs=ninjaone.syncs)

    assert sleeps == [5.0]
    assert records.rows["environment"] == answers.EXPECTED_ENVIRONMENT


def test_a_5xx_on_the_third_page_is_retried_then_fails_cleanly(httpserver, http_options, sleeps):
    failing = Pages(answers.SOFTWARE[1], json_response({"error": "unavailable"}, 503))
    serve(httpserver, software=failing)

    with opened(httpserver, http_options) as http, pytest.raises(VendorUnavailable) as raised:
        ninjaone.fetch(http, syncs=ninjaone.syncs)

    assert str(raised.value) == (
        "/v2/queries/software failed on the vendor's side (HTTP 503); tried 3 times"
    )
    assert failing.calls == 4  # page 2, then page 3 three times
    assert sleeps == [1.0, 2.0]


def test_an_answer_that_is_not_json_names_the_endpoint(httpserver, http_options):
    httpserver.expect_request("/ws/oauth/token").respond_with_json(answers.TOKEN)
    httpserver.expect_request("/v2/organizations").respond_with_json(answers.ORGANIZATIONS[1])
    httpserver.expect_request("/v2/devices").respond_with_data('[{"id": 11, "organ')

    with (
        opened(httpserver, http_options) as http,
        pytest.raises(MalformedAnswer, match=r"^/v2/devices did not answer in JSON$"),
    ):
        ninjaone.fetch(http, syncs=ninjaone.syncs)


def test_an_answer_in_another_shape_names_the_endpoint(httpserver, http_options):
    httpserver.expect_request("/ws/oauth/token").respond_with_json(answers.TOKEN)
    httpserver.expect_request("/v2/organizations").respond_with_json({"organizations": []})

    with (
        opened(httpserver, http_options) as http,
        pytest.raises(MalformedAnswer, match="^/v2/organizations did not answer with a list"),
    ):
        ninjaone.fetch(http, syncs=ninjaone.syncs)


def test_a_token_answer_without_a_token_is_malformed(httpserver, http_options):
    httpserver.expect_request("/ws/oauth/token").respond_with_json({"token_type": "Bearer"})

    with pytest.raises(MalformedAnswer, match="without an access token"):
        opened(httpserver, http_options)


def test_a_missing_credential_is_named_before_any_call(httpserver, http_options):
    with pytest.raises(ConnectorError, match=r"^The client secret is missing$"):
        opened(httpserver, http_options, {"client_id": "covered-ninja-client"})

    assert httpserver.log == []


def test_a_retry_after_past_the_sync_time_limit_stops_the_sync(httpserver, http_options, sleeps):
    httpserver.expect_request("/ws/oauth/token").respond_with_json(answers.TOKEN)
    httpserver.expect_request("/v2/organizations").respond_with_data(
        "Too many requests", status=429, headers={"Retry-After": "90"}
    )

    with (
        opened(httpserver, {**http_options, "time_limit": 60}) as http,
        pytest.raises(SyncTimeLimit, match=r"ran out of its time \(60 seconds\)"),
    ):
        ninjaone.fetch(http, syncs=ninjaone.syncs)
    assert sleeps == []
