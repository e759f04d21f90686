"""The API tokens page: a token is shown once, works as its user, and can be revoked."""

import datetime
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.api.models import ApiToken
from tests.agreements.api.conftest import token_for

pytestmark = pytest.mark.django_db

PAGE = reverse("api:tokens")


def shown_token(response):
    """The token the page shows, or None."""
    found = re.search(r'id="new-token" value="([^"]+)"', response.content.decode())
    return found.group(1) if found else None


def calls_with(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_a_new_token_is_shown_once_and_works(client, consultant):
    client.force_login(consultant)

    response = client.post(PAGE, {"name": "PSA sync"}, follow=True)
    secret = shown_token(response)
    again = client.get(PAGE)

    assert secret and secret.startswith("cov_")
    assert shown_token(again) is None
    assert "PSA sync" in again.content.decode()
    assert calls_with(secret).get("/api/v1/clients/").status_code == 200


def test_a_token_with_an_expiry_stops_at_the_end_of_that_day(client, consultant):
    client.force_login(consultant)

    client.post(PAGE, {"name": "Trial", "expires_on": "2027-01-31"})

    expiry = ApiToken.objects.get(name="Trial").expiry
    assert expiry.astimezone(datetime.UTC).date() >= datetime.date(2027, 1, 31)
    assert expiry.date() <= datetime.date(2027, 2, 1)


def test_an_expiry_in_the_past_is_refused(client, consultant):
    client.force_login(consultant)

    response = client.post(PAGE, {"name": "Trial", "expires_on": "2020-01-01"})

    assert response.status_code == 200
    assert "The expiry date has passed" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_blank_name_is_refused(client, consultant):
    client.force_login(consultant)

    response = client.post(PAGE, {"name": "   "})

    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_a_revoked_token_no_longer_works(client, consultant):
    client.force_login(consultant)
    secret = token_for(consultant, "PSA sync")
    key = ApiToken.objects.get().token_key

    response = client.post(PAGE, {"revoke": key}, follow=True)

    assert "The token is revoked" in response.content.decode()
    assert calls_with(secret).get("/api/v1/clients/").status_code == 401


def test_nobody_revokes_another_users_token(client, consultant, viewer):
    secret = token_for(consultant, "PSA sync")
    client.force_login(viewer)

    response = client.post(PAGE, {"revoke": ApiToken.objects.get().token_key}, follow=True)

    assert "already revoked" in response.content.decode()
    assert calls_with(secret).get("/api/v1/clients/").status_code == 200


def test_a_viewer_makes_a_token_that_only_reads(client, viewer):
    client.force_login(viewer)

    secret = shown_token(client.post(PAGE, {"name": "Dashboard"}, follow=True))

    api = calls_with(secret)
    assert api.get("/api/v1/clients/").status_code == 200
    assert api.post("/api/v1/clients/", {"name": "X"}, format="json").status_code == 403


def test_the_page_asks_an_anonymous_visitor_to_log_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
