from django.conf import settings
from django.db import models

from core.models import TimeStampedModel, optional_key


class Reminder(TimeStampedModel):
    """One reminder email to one person before a deadline (DESIGN "Agreement terms, renewals and
    reminders"): claimed once per (object, deadline, lead time, recipient) by the unique
    constraint, then sent at most once, with its attempts recorded like the report's."""

    class Kind(models.TextChoices):
        NOTICE = "notice", "Notice deadline"
        CERTIFICATION = "certification", "Certification expiry"
        GOAL = "goal", "Training goal due"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"  # a shorter lead time was already due when it came up

    kind = models.CharField(max_length=15, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(
        help_text="The agreement, certification held or training goal it is about."
    )
    deadline = models.DateField()
    lead_days = models.PositiveSmallIntegerField()
    recipient = models.EmailField()
    user = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-deadline", "kind", "recipient"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "deadline", "lead_days", "recipient"],
                name="reminder_once_per_deadline_lead_and_recipient",
            )
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="reminder_status_deadline")]

    def __str__(self):
        return (
            f"{self.get_kind_display()} {self.deadline} ({self.lead_days} days) to {self.recipient}"
        )


class CalendarFeed(models.Model):
    """A user's private calendar feed of the deadlines that concern them: the secret of its URL
    is shown once and only its SHA-256 is kept; making a new one revokes the old."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Calendar feed of {self.user}"


class ReminderOptOut(models.Model):
    """A kind of reminder a user asked not to receive (their Notifications page)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_opt_outs"
    )
    kind = models.CharField(max_length=15, choices=Reminder.Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="reminder_opt_out_once")
        ]

    def __str__(self):
        return f"{self.user} receives no {self.get_kind_display().lower()} reminders"
