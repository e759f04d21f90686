"""Webhooks with real parts: Redis, the main Celery worker and the webhooks' own worker, an SMTP
server and an HTTP receiver started by the test."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from agreements.api.models import WebhookDelivery, WebhookEvent
from agreements.api.services import webhook_deliveries_create
from agreements.api.tasks import deliver_webhook
from agreements.api.webhooks import Announcement
from agreements.coverage.models import CoverageRun
from config.celery import app as celery_app
from tests.agreements.factories import AgreementFactory, RequirementFactory, WebhookFactory
from tests.conftest import add_recipient
from tests.integration.conftest import wait_for
from tests.receivers import HOLD_AT_MOST_SECONDS, WebhookReceiver
from tests.skills.factories import SkillFactory

pytestmark = pytest.mark.integration

NIGHTLY_TASK = "agreements.tasks.run_nightly_coverage"


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def webhooks_worker(celery_worker):
    """Starts the worker of the webhooks' queue (as docker-compose.yml runs it), with an empty
    queue and extra environment variables."""
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(settings.WEBHOOK_QUEUE)
    return lambda **extra_env: celery_worker("-Q", settings.WEBHOOK_QUEUE, **extra_env)


@pytest.fixture
def book(django_user_model):
    """One agreement that nobody can cover, and Rachel, who receives the report."""
    agreement = AgreementFactory(start_date=timezone.localdate() - datetime.timedelta(days=30))
    RequirementFactory(agreement=agreement, skill=SkillFactory(name="Exchange"))
    add_recipient(django_user_model, "rachel")


def email_status():
    run = CoverageRun.objects.first()
    return run.email_status if run else None


def delivery_statuses():
    return sorted(WebhookDelivery.objects.values_list("event", "status"))


def test_nightly_run_finishes_and_sends_its_report_while_a_webhook_receiver_hangs(
    celery_worker, webhooks_worker, smtp_server, receiver, book
):
    WebhookFactory(url=f"{receiver.url}/covered", events=["check.finished", "flag.opened"])
    receiver.hold()
    worker = celery_worker(EMAIL_URL=f"smtp://{smtp_server.hostname}:{smtp_server.port}")
    # The receiver answers only once the test lets it: no timeout cuts the delivery short.
    deliverer = webhooks_worker(WEBHOOK_TIMEOUT_SECONDS=str(HOLD_AT_MOST_SECONDS))

    celery_app.send_task(NIGHTLY_TASK)
    wait_for(lambda: receiver.holding == 1, 60, "a delivery reaching the receiver", deliverer)
    wait_for(lambda: email_status() == "sent", 60, "the report email", worker)

    assert CoverageRun.objects.get().finished_at is not None
    assert len(smtp_server.messages) == 1
    assert receiver.holding == 1  # the first delivery is still waiting for its answer
    assert delivery_statuses() == [("check.finished", "pending"), ("flag.opened", "pending")]

    receiver.release()
    wait_for(
        lambda: (
            delivery_statuses() == [("check.finished", "succeeded"), ("flag.opened", "succeeded")]
        ),
        60,
        "the deliveries",
        deliverer,
    )


def test_worker_tries_a_failing_receiver_again_until_it_answers(webhooks_worker, receiver):
    webhook = WebhookFactory(url=f"{receiver.url}/covered", events=["check.finished"])
    [delivery_id] = webhook_deliveries_create(
        event=WebhookEvent.CHECK_FINISHED,
        announce=lambda: [Announcement("check:1", {"id": 1}, "Coverage check")],
    )
    receiver.answers.extend([500, 503])
    deliverer = webhooks_worker()

    deliver_webhook.delay(delivery_id)
    wait_for(
        lambda: WebhookDelivery.objects.get(pk=delivery_id).status != "pending",
        60,
        "the delivery",
        deliverer,
    )

    delivery = webhook.deliveries.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 3, 200)
    assert [request.path for request in receiver.requests] == ["/covered"] * 3
