"""Celery tasks of the API: the webhook deliveries, and the daily removal of expired tokens.
Thin, ids only, safe to run twice.

Deliveries run on the queue WEBHOOK_QUEUE (CELERY_TASK_ROUTES), served by a worker of its own, so
that a receiver that hangs holds up other deliveries at most, never the nightly run or its report.
"""

import functools

from celery import shared_task
from django.conf import settings
from django.db import transaction

from agreements.api.services import api_tokens_delete_expired, webhook_deliver
from agreements.coverage.tasks import TRANSIENT_SERVICE_ERRORS


@shared_task(
    bind=True,
    name="agreements.api.deliver_webhook",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_SERVICE_ERRORS,
    retry_backoff=True,
    max_retries=5,
)
def deliver_webhook(self, delivery_id: int) -> str:
    """POST one delivery; a failed attempt is tried again after WEBHOOK_RETRY_BASE_SECONDS,
    doubling, until WEBHOOK_MAX_ATTEMPTS attempts. Returns the delivery's status."""
    outcome = webhook_deliver(delivery_id=delivery_id, attempt=self.request.retries + 1)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in, max_retries=settings.WEBHOOK_MAX_ATTEMPTS)
    return outcome.status


def deliveries_queue(delivery_ids: list[int]) -> None:
    """Queue each delivery once the transaction that made it commits. A broker that cannot be
    reached then is logged and leaves the delivery pending (an admin may replay it): it never
    fails what announced it, such as the nightly run."""
    for delivery_id in delivery_ids:
        transaction.on_commit(functools.partial(deliver_webhook.delay, delivery_id), robust=True)


@shared_task(name="agreements.api.delete_expired_tokens")
def delete_expired_tokens() -> int:
    """Daily (setup_schedule): remove the tokens whose expiry has passed; how many."""
    return api_tokens_delete_expired()
