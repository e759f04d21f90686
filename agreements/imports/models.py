"""What an import keeps between its steps (agreements/imports/): the uploaded file in the default
storage, the choices made on the preview and the preview itself, so that any web process or the
worker can carry on with it."""

from django.conf import settings
from django.db import models

from core.models import TextLineField, TimeStampedModel


class ImportKind(models.TextChoices):
    CLIENTS = "clients", "Clients (with a primary contact)"
    CONTACTS = "contacts", "Contacts"
    ENVIRONMENT = "environment", "Client environment (what runs on each client's LAN)"
    TECHNICIANS = "technicians", "Technicians"
    TECHNICIAN_SKILLS = "technician_skills", "Technician skills"
    CERTIFICATIONS = "certifications", "Certifications held"
    TIME_OFF = "time_off", "Time off"
    WORKING_HOURS = "working_hours", "Working hours"
    AGREEMENTS = "agreements", "Agreements"
    PARTNER_PROGRAMMES = "partner_programmes", "Partner programmes"
    PARTNER_RULES = "partner_rules", "Partner programme rules"


class ImportBatch(TimeStampedModel):
    class State(models.TextChoices):
        PREVIEWING = "previewing", "Reading the file"
        READY = "ready", "Preview ready"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Could not be read"

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_batches"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.PREVIEWING)
    # {"mapping": {header: field}, "date_order": "mdy", "replace_environment": bool,
    #  "ignored_products": [name, …], "ignored_versions" and "versionless": [product and
    #  version cell, …], "ignored_clients", "created_clients" and "replaced_clients": [client
    #  name, …], "preset": name, "suggested_kind": kind}
    options = models.JSONField(default=dict, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "agreements"
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.get_kind_display()}: {self.filename}"

    @property
    def is_busy(self):
        return self.state in (self.State.PREVIEWING, self.State.IMPORTING)


class ImportMappingPreset(TimeStampedModel):
    """A named choice of which column of a file means which field, for files of one origin."""

    name = TextLineField(max_length=100)
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    mapping = models.JSONField(default=dict)

    class Meta:
        app_label = "agreements"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name"],
                name="importmappingpreset_unique_name",
                violation_error_message="A preset of this kind already has this name.",
            )
        ]

    def __str__(self):
        return self.name
