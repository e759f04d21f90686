import datetime
import email.utils
import time

import httpx
import pytest

from agreements.connectors.http import (
    MAX_BACKOFF,
    MAX_PAGE_SIZE,
    MAX_RETRY_AFTER,
    ConnectorError,
    CredentialsRefused,
    MalformedAnswer,
    RequestRefused,
    SyncTimeLimit,
    VendorHttp,
    VendorUnavailable,
    retry_after_seconds,
)
from tests.agreements.connectors.vendors.conftest import Pages, json_response


def client(httpserver, sleeps, **options):
    options = {"retries": 3, "backoff": 1.0, "sleep": sleeps, "clock": sleeps.clock, **options}
    return VendorHttp(base_url=httpserver.url_for("/api"), **options)


def test_get_answers_the_decoded_json_of_a_path_below_the_base_url(httpserver, sleeps):
    httpserver.expect_request("/api/v2/things", query_string="a=1").respond_with_json([{"id": 1}])

    with client(httpserver, sleeps) as http:
        assert http.get("/v2/things", params={"a": 1}) == [{"id": 1}]


def test_5xx_is_retried_with_backoff_then_answers(httpserver, sleeps):
    httpserver.expect_request("/api/x").respond_with_handler(
        Pages(json_response({}, 502), json_response({}, 503), {"ok": True})
    )

    with client(httpserver, sleeps) as http:
        assert http.get("/x") == {"ok": True}
    assert sleeps == [1.0, 2.0]


def test_backoff_is_bounded_in_each_wait_and_in_tries(httpserver, sleeps):
    httpserver.expect_request("/api/x").respond_with_data("down", status=503)

    with (
        client(httpserver, sleeps, retries=6, backoff=10.0) as http,
        pytest.raises(VendorUnavailable) as raised,
    ):
        http.get("/x")
    assert sleeps == [10.0, 20.0, MAX_BACKOFF, MAX_BACKOFF, MAX_BACKOFF, MAX_BACKOFF]
    assert len(httpserver.log) == 7
    assert str(raised.value) == "/api/x failed on the vendor's side (HTTP 503); tried 7 times"


def test_a_refused_connection_is_retried_then_said_plainly(sleeps):
    with (
        VendorHttp(
            base_url="http://127.0.0.1:9/api", retries=2, sleep=sleeps, clock=sleeps.clock
        ) as http,
        pytest.raises(VendorUnavailable, match=r"^/api/x could not be reached; tried 3"),
    ):
        http.get("/x")
    assert sleeps == [1.0, 2.0]


def test_429_waits_the_seconds_of_retry_after(httpserver, sleeps):
    httpserver.expect_request("/api/x").respond_with_handler(
        Pages(json_response({}, 429, {"Retry-After": "7"}), {"ok": True})
    )

    with client(httpserver, sleeps) as http:
        assert http.get("/x") == {"ok": True}
    assert sleeps == [7.0]


def test_429_waits_until_the_date_of_retry_after(httpserver, sleeps):
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=30)
    httpserver.expect_request("/api/x").respond_with_handler(
        Pages(
            json_response({}, 429, {"Retry-After": email.utils.format_datetime(later, True)}),
            {"ok": True},
        )
    )

    with client(httpserver, sleeps) as http:
        assert http.get("/x") == {"ok": True}
    assert len(sleeps) == 1
    assert 25 <= sleeps[0] <= 30


def test_retry_after_is_capped(httpserver, sleeps):
    httpserver.expect_request("/api/x").respond_with_handler(
        Pages(json_response({}, 429, {"Retry-After": "86400"}), {"ok": True})
    )

    with client(httpserver, sleeps, time_limit=3600) as http:
        http.get("/x")
    assert sleeps == [MAX_RETRY_AFTER]


def test_retry_after_reads_seconds_dates_and_nonsense():
    now = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    assert retry_after_seconds("12", now=now) == 12
    assert retry_after_seconds("Mon, 02 Mar 2026 09:01:30 GMT", now=now) == 90
    assert retry_after_seconds("Mon, 02 Mar 2026 08:00:00 GMT", now=now) == 0
    assert retry_after_seconds("soon", now=now) is None
    assert retry_after_seconds(None, now=now) is None


def test_429_that_never_ends_fails_cleanly(httpserver, sleeps):
    httpserver.expect_request("/api/x").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "2"}
    )

    with (
        client(httpserver, sleeps, retries=2) as http,
        pytest.raises(VendorUnavailable, match="kept asking to slow down"),
    ):
        http.get("/x")
    assert sleeps == [2.0, 2.0]


def test_401_is_credentials_refused_without_retrying(httpserver, sleeps):
    httpserver.expect_request("/api/x").respond_with_data("no", status=401)

    with (
        client(httpserver, sleeps, headers={"Secret": "s3cr3t-value"}) as http,
        pytest.raises(CredentialsRefused) as raised,
    ):
        http.get("/x", params={"user": "s3cr3t-value"})
    assert str(raised.value) == "/api/x: the credentials were refused (HTTP 401)"
    assert "s3cr3t-value" not in str(raised.value)
    assert sleeps == []
    assert len(httpserver.log) == 1


def test_another_4xx_is_refused_with_its_status_and_body(httpserver, sleeps):
    httpserver.expect_request("/api/x").respond_with_json({"error": "invalid_grant"}, status=400)

    with client(httpserver, sleeps) as http, pytest.raises(RequestRefused) as raised:
        http.post("/x", data={"password": "hunter2"})
    assert raised.value.status == 400
    assert raised.value.body == {"error": "invalid_grant"}
    assert "hunter2" not in str(raised.value)


def test_an_answer_that_is_not_json_names_the_endpoint(httpserver, sleeps):
    httpserver.expect_request("/api/v2/devices").respond_with_data("<html>oops</html>")

    with (
        client(httpserver, sleeps) as http,
        pytest.raises(MalformedAnswer, match=r"^/api/v2/devices did not answer in JSON$"),
    ):
        http.get("/v2/devices")


def test_a_next_page_on_another_host_is_refused(httpserver, sleeps):
    with (
        client(httpserver, sleeps) as http,
        pytest.raises(MalformedAnswer, match="another address"),
    ):
        http.get("http://elsewhere.example/api/x")
    assert len(httpserver.log) == 0


def test_a_next_page_on_the_same_host_is_followed(httpserver, sleeps):
    httpserver.expect_request("/api/x", query_string="page=2").respond_with_json([2])

    with client(httpserver, sleeps) as http:
        assert http.get(httpserver.url_for("/api/x?page=2")) == [2]


def test_the_time_limit_stops_a_wait_that_would_pass_it(httpserver, sleeps):
    httpserver.expect_request("/api/x").respond_with_data("down", status=503)

    with (
        client(httpserver, sleeps, retries=5, backoff=4.0, time_limit=10) as http,
        pytest.raises(SyncTimeLimit, match=r"ran out of its time \(10 seconds\)"),
    ):
        http.get("/x")
    assert sleeps == [4.0]


def test_the_time_limit_covers_every_call_of_a_sync(httpserver, sleeps):
    httpserver.expect_request("/api/x").respond_with_json([])

    with client(httpserver, sleeps, time_limit=60) as http:
        http.get("/x")
        sleeps.now += 61
        with pytest.raises(SyncTimeLimit):
            http.get("/x")
    assert len(httpserver.log) == 1


def test_page_size_is_clamped():
    assert VendorHttp(base_url="http://127.0.0.1", page_size=50_000).page_size == MAX_PAGE_SIZE
    assert VendorHttp(base_url="http://127.0.0.1", page_size=0).page_size == 1
    http = VendorHttp(base_url="http://127.0.0.1", page_size=500)
    assert http.page_size_at_most(250) == 250
    assert http.page_size_at_most(1000) == 500


def test_timeouts_are_set_and_end_a_slow_answer(httpserver, sleeps):
    def slow(request):
        time.sleep(0.5)
        return json_response({})

    httpserver.expect_request("/api/slow").respond_with_handler(slow)

    with client(httpserver, sleeps, timeout=0.1, retries=0) as http:
        assert http.client.timeout == httpx.Timeout(0.1)
        with pytest.raises(VendorUnavailable, match="could not be reached; tried once"):
            http.get("/slow")
    # The server finishes the slow answer on its own; wait for it so that no other test sees it.
    waited_until = time.monotonic() + 5
    while not httpserver.log and time.monotonic() < waited_until:
        time.sleep(0.05)
    assert len(httpserver.log) == 1


def test_a_redirect_is_not_followed_and_names_the_endpoint(httpserver, sleeps):
    httpserver.expect_request("/api/x").respond_with_data(
        "", status=302, headers={"Location": "https://login.example/sso"}
    )

    with (
        client(httpserver, sleeps) as http,
        pytest.raises(MalformedAnswer, match=r"^/api/x answered with a redirect \(HTTP 302\)"),
    ):
        http.get("/x")
    assert len(httpserver.log) == 1


@pytest.mark.parametrize("base_url", ["", "harbor.example", "ftp://harbor.example", "https://"])
def test_a_base_url_that_is_not_a_web_address_is_refused_plainly(base_url):
    with pytest.raises(ConnectorError, match=r"^The base URL is not a web address"):
        VendorHttp(base_url=base_url)
