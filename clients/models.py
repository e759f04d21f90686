from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from core.choices import ChoiceSet
from core.models import (
    EmailAddressField,
    LongTextField,
    TextLineField,
    TimeStampedModel,
    TimeZoneField,
    UniqueNameModel,
    WebsiteField,
    optional_key,
    unique_name_constraint,
)
from skills.models import Skill, SkillVersion, check_version_of_skill


class Client(UniqueNameModel, TimeStampedModel):
    class Status(ChoiceSet):
        PROSPECT = "prospect", "Prospect", "info"
        ACTIVE = "active", "Active", "success"
        FORMER = "former", "Former", "secondary"

    name = TextLineField(max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    industry = TextLineField(max_length=100, blank=True)
    seats = models.PositiveIntegerField(default=0, help_text="Users or workstations supported.")
    account_manager = optional_key(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="managed_clients"
    )
    phone = TextLineField(max_length=40, blank=True)
    email = EmailAddressField(blank=True)
    address = LongTextField(max_length=1000, blank=True)
    website = WebsiteField(blank=True)
    time_zone = TimeZoneField(
        help_text="Where the client is: its agreements' support hours are in this zone."
    )
    notes = LongTextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [unique_name_constraint("client")]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["name"], name="client_name"),
        ]

    def __str__(self):
        return self.name

    def get_status_color(self) -> str:
        return self.Status(self.status).color


class Contact(TimeStampedModel):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = TextLineField(max_length=120)
    email = EmailAddressField(blank=True)
    phone = TextLineField(max_length=40, blank=True)
    role = TextLineField(max_length=100, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(is_primary=True),
                name="contact_one_primary_per_client",
                violation_error_message="This client already has a primary contact.",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if not (self.is_primary and self.client_id):
            return
        primary = (
            Contact.objects.filter(client_id=self.client_id, is_primary=True)
            .exclude(pk=self.pk)
            .first()
        )
        if primary is not None:
            raise ValidationError(
                {
                    "is_primary": f"{primary.name} is already the primary contact of "
                    f"{self.client.name}."
                }
            )


class ClientAlias(TimeStampedModel):
    """Another spelling of a client's name, as an RMM or PSA export writes it (a site name,
    "Northlight Architecture" for "Northlight Architects"): imports read it as the client."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="aliases")
    name = TextLineField(max_length=150, help_text="The name as the export writes it.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["client__name", "name"]
        verbose_name_plural = "client aliases"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="clientalias_name_unique_ci",
                violation_error_message="Another client alias already has this name.",
            )
        ]

    def __str__(self):
        return self.name


class ClientTechnology(TimeStampedModel):
    """What runs on the client's LAN: a skill, optionally at a version, and how many of it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="technologies")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="client_technologies")
    version = optional_key(
        SkillVersion, on_delete=models.PROTECT, related_name="client_technologies"
    )
    quantity = models.PositiveIntegerField(default=1)
    notes = TextLineField(max_length=255, blank=True)

    class Meta:
        ordering = ["client__name", "skill__name", "version__rank"]
        verbose_name_plural = "client technologies"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "skill", "version"],
                condition=Q(version__isnull=False),
                name="clienttechnology_unique_with_version",
                violation_error_message="This client already runs this version.",
            ),
            models.UniqueConstraint(
                fields=["client", "skill"],
                condition=Q(version__isnull=True),
                name="clienttechnology_unique_without_version",
                violation_error_message="This client already runs this skill without a version.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1),
                name="clienttechnology_quantity_at_least_1",
                violation_error_message="Quantity must be at least 1.",
            ),
        ]

    def __str__(self):
        return f"{self.skill.name} {self.version.label}" if self.version else self.skill.name

    def clean(self):
        errors = check_version_of_skill(
            self.version, self.skill if self.skill_id else None, "version"
        )
        if self.quantity is not None and self.quantity < 1:
            errors["quantity"] = "Quantity must be at least 1."
        if errors:
            raise ValidationError(errors)
