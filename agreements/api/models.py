"""The API's own models: webhooks with their deliveries, and personal API tokens."""

from django.core.validators import MinLengthValidator
from django.db import models
from django.db.models import Q
from knox.models import AbstractAuthToken
from simple_history.models import HistoricalRecords

from core.models import TextLineField, TimeStampedModel, optional_key
from core.network import webhook_url_validate
from core.validators import ChoiceListValidator


class WebhookEvent(models.TextChoices):
    CHECK_FINISHED = "check.finished", "Check finished"
    FLAG_OPENED = "flag.opened", "Flag opened"
    FLAG_RESOLVED = "flag.resolved", "Flag resolved"
    REMINDER_DUE = "reminder.due", "Reminder due"


class Webhook(TimeStampedModel):
    """A URL an admin registered to be told, by a signed POST, when something changes
    (DESIGN "Getting data in and out"): a check finished, a flag opened or resolved, a reminder
    came due. Each event becomes one WebhookDelivery per webhook that wants it."""

    Event = WebhookEvent

    class PayloadFormat(models.TextChoices):
        JSON = "json", "JSON"
        SLACK = "slack", "Slack-compatible text"

    name = TextLineField(max_length=100, help_text="What receives it, e.g. “PSA” or “#noc”.")
    url = TextLineField(
        "URL",
        max_length=500,
        validators=[webhook_url_validate],
        help_text="Where deliveries are POSTed: an https:// address on the public internet.",
    )
    secret = TextLineField(
        max_length=128,
        blank=True,
        validators=[MinLengthValidator(16)],
        help_text="Signs every delivery (X-Covered-Signature: sha256=HMAC of the body). Leave "
        "it blank to have one generated; give the receiver the same value.",
    )
    events = models.JSONField(
        default=list,
        validators=[ChoiceListValidator(WebhookEvent.values, noun="event")],
        help_text="The events it is told of.",
    )
    payload_format = models.CharField(
        max_length=10,
        choices=PayloadFormat.choices,
        default=PayloadFormat.JSON,
        help_text='Slack-compatible: {"text": …}, a readable message for a chat\'s incoming '
        "webhook, instead of the JSON event.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive webhooks get no new deliveries."
    )
    # Who pointed the deliveries where, and when; never the secret.
    history = HistoricalRecords(excluded_fields=["updated_at", "secret"])

    class Meta:
        app_label = "agreements"
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def wants(self, event: str) -> bool:
        return self.is_active and event in self.events


class WebhookDelivery(TimeStampedModel):
    """One event sent to one webhook: the exact body, and how its attempts went.

    A delivery is pending until an attempt gets a 2xx answer (succeeded) or its last attempt
    fails (failed). `event_key` names what it announces ("flag.opened:12"), so that a webhook is
    told of each thing once however often it is announced; a replay, made by an admin, repeats
    one on purpose.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=20, choices=WebhookEvent.choices)
    event_key = models.CharField(max_length=200)
    payload = models.TextField(help_text="The exact body sent, which the signature signs.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The HTTP status of the last answer."
    )
    last_response_ms = models.PositiveIntegerField("last response time (ms)", null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next attempt is due after a failed one."
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Deleted with the delivery it replays: a replay left without it would count as the
    # event's first delivery.
    replay_of = optional_key(
        "self",
        on_delete=models.CASCADE,
        related_name="replays",
        help_text="The delivery an admin replayed.",
    )

    class Meta:
        app_label = "agreements"
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event_key"],
                condition=Q(replay_of__isnull=True),
                name="webhookdelivery_once_per_event",
            )
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="webhookdelivery_status"),
            models.Index(fields=["webhook", "-created_at"], name="webhookdelivery_webhook"),
        ]

    def __str__(self):
        return f"{self.get_event_display()} to {self.webhook} ({self.get_status_display()})"


class ApiToken(AbstractAuthToken):
    """A personal API token: only its hash is stored (django-rest-knox); the token itself is shown
    once, when it is made. It acts as its user, never with admin-only rights."""

    name = TextLineField(max_length=80, help_text="What the token is for, e.g. “PSA sync”.")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "agreements"
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.token_key}…)"
