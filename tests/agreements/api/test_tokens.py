"""The API tokens page: a token is shown once, works as its user, and can be revoked."""

import datetime
import re

import pytest
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from rest_framework.test import APIClient

from agreements.api.models import ApiToken
from agreements.api.tasks import delete_expired_tokens
from agreements.coverage.schedule import coverage_schedule_setup
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


# ------------------------------------------------------------------------------ expired tokens


def make_token(user, name, *, expires_in):
    return ApiToken.objects.create(user=user, expiry=expires_in, name=name)[0]


def test_an_expired_token_row_is_gone_after_the_daily_task(consultant):
    expired = make_token(consultant, "Old sync", expires_in=datetime.timedelta(seconds=-1))
    current = make_token(consultant, "Trial", expires_in=datetime.timedelta(days=1))
    lasting = make_token(consultant, "PSA sync", expires_in=None)

    removed = delete_expired_tokens.delay().get()

    assert removed == 1
    assert set(ApiToken.objects.values_list("pk", flat=True)) == {current.pk, lasting.pk}
    assert not ApiToken.objects.filter(pk=expired.pk).exists()


def test_the_removal_of_expired_tokens_is_scheduled_daily():
    coverage_schedule_setup()

    entry = PeriodicTask.objects.get(task="agreements.api.delete_expired_tokens")
    assert entry.enabled
    assert (entry.interval.every, entry.interval.period) == (1, IntervalSchedule.DAYS)


def test_answers_to_a_token_caller_are_neither_shared_nor_stored(consultant):
    response = calls_with(token_for(consultant)).get("/api/v1/clients/")

    assert response.status_code == 200
    assert {"private", "no-store"} <= {
        part.strip() for part in response["Cache-Control"].split(",")
    }
