"""A connection to a PSA or an RMM, its syncs and the vendor ids of what it keeps (DESIGN "Live
data: connectors to the PSA and the RMM"). The credentials are encrypted at rest with
CONNECTOR_ENCRYPTION_KEY and never leave the model but to open the vendor's API."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from simple_history.models import HistoricalRecords

from agreements.connectors.vendors import VENDORS
from core.choices import ChoiceSet
from core.models import (
    CredentialsField,
    TextLineField,
    TimeStampedModel,
    hour_before_nightly_run,
)
from core.network import connection_url_validate

SYNC_CHOICES = [
    ("clients", "Clients and contacts"),
    ("agreements", "Agreements"),
    ("technicians", "Technicians with skills and certifications"),
    ("environments", "Client environments (software)"),
]
KIND_CHOICES = [(kind, vendor.label) for kind, vendor in VENDORS.items()]


class Connection(TimeStampedModel):
    class Status(models.TextChoices):
        NEW = "new", "Never synced"
        OK = "ok", "Synced"
        REVIEW = "review", "Waiting for review"
        FAILED = "failed", "Last sync failed"

    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    name = TextLineField(max_length=100, help_text="E.g. “Head office PSA”.")
    base_url = TextLineField(
        "base URL",
        max_length=500,
        validators=[connection_url_validate],
        help_text="The address of the vendor's API, e.g. https://app.ninjarmm.com.",
    )
    credentials = CredentialsField(default=dict, blank=True)
    syncs = models.JSONField(default=list, blank=True, help_text="What it reads.")
    schedule_enabled = models.BooleanField("sync every day", default=True)
    schedule_time = models.TimeField(
        "at", default=hour_before_nightly_run, help_text=f"In the time zone {settings.TIME_ZONE}."
    )
    # {"services": {vendor name: service id}, "skills": {…: skill id}, "skill_levels": {…: 1-5},
    #  "certifications": {…: certification id}}; a vendor name mapped to 0 is left out.
    mappings = models.JSONField(default=dict, blank=True)
    # The user the syncs write history as: one per connection, who cannot log in.
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="connection",
        editable=False,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["credentials"])

    class Meta:
        app_label = "agreements"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def vendor(self):
        return VENDORS[self.kind]

    def get_syncs_display(self) -> str:
        labels = dict(SYNC_CHOICES)
        return ", ".join(labels.get(key, key).lower() for key in self.syncs)

    @property
    def label(self) -> str:
        """How the forms name it beside a field it keeps: "NinjaOne: Head office RMM"."""
        return f"{self.get_kind_display()}: {self.name}"


class SyncRun(models.Model):
    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Sync now"

    class Status(ChoiceSet):
        RUNNING = "running", "Running", "info"
        REVIEW = "review", "Awaiting review", "warning"
        APPLIED = "applied", "Applied", "success"
        FAILED = "failed", "Failed", "danger"
        CANCELLED = "cancelled", "Cancelled", "secondary"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {kind: {"new": n, "changed": n, "unchanged": n, "skipped": n, "error": n, "removed": n}}
    counts = models.JSONField(default=dict, blank=True)
    # Why a review is asked, records the vendor skipped and rows left out, in plain words.
    notes = models.JSONField(default=list, blank=True)
    # The vendor's names seen by this run, for the mappings: {vocabulary: {name: count}}.
    names = models.JSONField(default=dict, blank=True)
    # {kind: {"batch": import batch id, "external_ids": [...]}}
    batches = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        app_label = "agreements"
        ordering = ["-started_at", "-pk"]
        constraints = [
            # Claimed as a unique row: one running sync per connection.
            models.UniqueConstraint(
                fields=["connection"],
                condition=models.Q(status="running"),
                name="syncrun_one_running_per_connection",
            )
        ]

    def __str__(self):
        return f"{self.connection} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_busy(self) -> bool:
        return self.status == self.Status.RUNNING

    def get_status_color(self) -> str:
        return self.Status(self.status).color


class ExternalRef(models.Model):
    """The vendor's id of an object a connection keeps: renames in the vendor follow it."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="external_refs"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    obj = GenericForeignKey("content_type", "object_id")
    external_id = models.CharField(max_length=200)
    # The model fields the vendor gives, read-only in the forms.
    fields = models.JSONField(default=list, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "agreements"
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "content_type", "external_id"],
                name="externalref_unique_external_id",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.connection}: {self.external_id}"
