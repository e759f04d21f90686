"""Webhooks in Django admin: registered by admins, deliveries read-only, replayed and resent."""

import json

import pytest
from django.urls import reverse

from agreements.api.models import Webhook, WebhookDelivery, WebhookEvent
from agreements.api.services import webhook_deliver, webhook_deliveries_create
from agreements.api.webhooks import Announcement
from tests.agreements.factories import WebhookFactory
from tests.receivers import WebhookReceiver

pytestmark = pytest.mark.django_db

DELIVERIES = reverse("admin:agreements_webhookdelivery_changelist")


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def delivered(webhook):
    """A check.finished delivery to `webhook`, attempted once."""
    [delivery_id] = webhook_deliveries_create(
        event=WebhookEvent.CHECK_FINISHED,
        announce=lambda: [Announcement("check:41", {"id": 41}, "Coverage check of 26 Nov 2026")],
    )
    webhook_deliver(delivery_id=delivery_id, attempt=1)
    return WebhookDelivery.objects.get(pk=delivery_id)


def test_admin_registers_a_webhook_and_a_blank_secret_is_generated(admin_client):
    response = admin_client.post(
        reverse("admin:agreements_webhook_add"),
        {
            "name": "PSA",
            "url": "https://psa.msp.example/hooks/covered",
            "events": ["check.finished", "flag.opened"],
            "payload_format": "json",
            "secret": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    webhook = Webhook.objects.get()
    assert (webhook.events, len(webhook.secret) >= 40) == (["check.finished", "flag.opened"], True)


def test_webhook_page_shows_its_secret_to_give_to_the_receiver(admin_client):
    webhook = WebhookFactory(secret="given-to-the-psa-team-0042")

    response = admin_client.get(reverse("admin:agreements_webhook_change", args=[webhook.pk]))

    assert 'value="given-to-the-psa-team-0042"' in response.text


def test_admin_form_says_a_loopback_url_is_refused(admin_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False

    response = admin_client.post(
        reverse("admin:agreements_webhook_add"),
        {
            "name": "Sneaky",
            "url": "http://127.0.0.1:6379/",
            "events": ["check.finished"],
            "payload_format": "json",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"] == [
        "127.0.0.1 is a loopback address: only hosts on the public internet may be used."
    ]
    assert not Webhook.objects.exists()


def test_consultants_cannot_open_the_webhooks_admin(client, consultant):
    client.force_login(consultant)

    response = client.get(reverse("admin:agreements_webhook_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_deliveries_list_shows_status_code_time_and_attempts(admin_client, receiver):
    delivery = delivered(WebhookFactory(url=f"{receiver.url}/covered"))

    response = admin_client.get(DELIVERIES)

    assert response.status_code == 200
    row = response.context["cl"].result_list.get()
    assert (row.pk, row.status, row.last_status_code, row.attempts) == (
        delivery.pk,
        "succeeded",
        200,
        1,
    )
    assert f"{delivery.last_response_ms}" in response.text


def test_delivery_page_shows_the_body_sent_and_offers_no_save(admin_client, receiver):
    delivery = delivered(WebhookFactory(url=f"{receiver.url}/covered"))

    response = admin_client.get(
        reverse("admin:agreements_webhookdelivery_change", args=[delivery.pk])
    )

    assert response.status_code == 200
    assert f"&quot;delivery&quot;: {delivery.pk}" in response.text
    assert 'name="_save"' not in response.text


def test_replay_from_the_admin_creates_and_sends_a_new_delivery(
    admin_client, receiver, django_capture_on_commit_callbacks
):
    original = delivered(WebhookFactory(url=f"{receiver.url}/covered"))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            DELIVERIES, {"action": "replay", "_selected_action": [original.pk]}
        )

    assert response.status_code == 302
    replay = WebhookDelivery.objects.exclude(pk=original.pk).get()
    assert (replay.replay_of, replay.status, replay.attempts) == (original, "succeeded", 1)
    first, again = (json.loads(request.body) for request in receiver.requests)
    assert (again["event"], again["data"], again["delivery"], again["replay_of"]) == (
        first["event"],
        first["data"],
        replay.pk,
        original.pk,
    )
    assert receiver.requests[1].headers["X-Covered-Delivery"] == str(replay.pk)


def test_replay_of_a_slack_delivery_sends_the_same_text(
    admin_client, receiver, django_capture_on_commit_callbacks
):
    original = delivered(WebhookFactory(url=f"{receiver.url}/covered", payload_format="slack"))

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(DELIVERIES, {"action": "replay", "_selected_action": [original.pk]})

    first, again = (request.body for request in receiver.requests)
    assert again == first == b'{"text": "Coverage check of 26 Nov 2026"}'


def test_resend_from_the_admin_sends_a_failed_delivery_again(
    admin_client, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.answers.append(500)
    failed = delivered(WebhookFactory(url=f"{receiver.url}/covered"))

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(DELIVERIES, {"action": "resend", "_selected_action": [failed.pk]})

    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_status_code) == ("succeeded", 2, 200)
    assert WebhookDelivery.objects.count() == 1


def test_resend_leaves_a_delivery_that_succeeded_alone(
    admin_client, receiver, django_capture_on_commit_callbacks
):
    delivery = delivered(WebhookFactory(url=f"{receiver.url}/covered"))

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(DELIVERIES, {"action": "resend", "_selected_action": [delivery.pk]})

    delivery.refresh_from_db()
    assert (len(receiver.requests), delivery.attempts) == (1, 1)
