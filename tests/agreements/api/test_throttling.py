"""The anonymous budget (API_ANONYMOUS_RATE): requests without valid credentials are refused
with 401, and past the budget of their address with 429."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from tests.agreements.api.conftest import token_for

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"


@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})


def test_the_anonymous_limit_answers_429_after_its_count(three_a_minute):
    caller = APIClient()

    statuses = [caller.get(CLIENTS).status_code for _ in range(3)]
    refused = caller.get(CLIENTS)

    assert (statuses, refused.status_code) == ([401, 401, 401], 429)
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"]


def test_wrong_tokens_count_against_the_anonymous_limit(three_a_minute):
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION="Token cov_not-a-token-anyone-was-given")

    statuses = [caller.get(CLIENTS).status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 429]


def test_a_forwarded_for_header_does_not_give_a_fresh_budget(three_a_minute):
    caller = APIClient()

    statuses = [
        caller.get(CLIENTS, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}").status_code
        for number in range(4)
    ]

    assert statuses == [401, 401, 401, 429]


def test_each_address_has_its_own_anonymous_budget(three_a_minute):
    caller = APIClient()
    for _ in range(4):
        caller.get(CLIENTS, REMOTE_ADDR="198.51.100.1")

    assert caller.get(CLIENTS, REMOTE_ADDR="198.51.100.2").status_code == 401


def test_a_caller_with_a_token_is_not_held_by_the_anonymous_limit(three_a_minute, consultant):
    caller = APIClient()
    for _ in range(4):
        caller.get(CLIENTS)
    caller.credentials(HTTP_AUTHORIZATION=f"Token {token_for(consultant)}")

    assert caller.get(CLIENTS).status_code == 200
