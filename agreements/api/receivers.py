"""Receivers of coverage's signals (agreements/coverage/signals.py), connected in
ApiConfig.ready(): each announcement becomes deliveries to the webhooks that want it, queued
once the transaction that announced it commits."""

from agreements.api.models import WebhookEvent
from agreements.api.services import webhook_deliveries_create
from agreements.api.tasks import deliveries_queue
from agreements.api.webhooks import check_announcement, flag_announcements, reminder_announcement


def check_finished(sender, coverage_check, **kwargs) -> None:
    deliveries_queue(
        webhook_deliveries_create(
            event=WebhookEvent.CHECK_FINISHED,
            announce=lambda: [check_announcement(coverage_check)],
        )
    )


def flags_opened(sender, flag_ids, **kwargs) -> None:
    event = WebhookEvent.FLAG_OPENED
    deliveries_queue(
        webhook_deliveries_create(
            event=event, announce=lambda: flag_announcements(flag_ids, event=event)
        )
    )


def flags_resolved(sender, flag_ids, **kwargs) -> None:
    event = WebhookEvent.FLAG_RESOLVED
    deliveries_queue(
        webhook_deliveries_create(
            event=event, announce=lambda: flag_announcements(flag_ids, event=event)
        )
    )


def reminder_due(sender, reminder, **kwargs) -> None:
    deliveries_queue(
        webhook_deliveries_create(
            event=WebhookEvent.REMINDER_DUE, announce=lambda: [reminder_announcement(reminder)]
        )
    )
