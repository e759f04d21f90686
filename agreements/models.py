import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from clients.models import Client
from core.models import TimeStampedModel, WebsiteField, name_taken
from skills.models import (
    LEVEL_VALIDATORS,
    Certification,
    Level,
    Skill,
    SkillVersion,
    check_version_of_skill,
)


def default_min_technicians():
    return settings.COVERAGE_MIN_TECHNICIANS


class Service(TimeStampedModel):
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    skills_in_scope = models.ManyToManyField(Skill, blank=True, related_name="services")
    min_level = models.PositiveSmallIntegerField(
        choices=Level.choices, default=Level.INDEPENDENT, validators=LEVEL_VALIDATORS
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="service_name_unique_ci",
                violation_error_message="A service with this name already exists.",
            ),
            models.CheckConstraint(
                condition=Q(min_level__gte=1, min_level__lte=5),
                name="service_min_level_1_to_5",
                violation_error_message="Minimum level must be between 1 and 5.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if name_taken(self):
            raise ValidationError({"name": f"A service named “{self.name}” already exists."})


class Agreement(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    class BillingCycle(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual"

    class SupportHours(models.TextChoices):
        BUSINESS = "8x5", "8×5 (business hours)"
        EXTENDED = "12x5", "12×5 (extended hours)"
        ALWAYS = "24x7", "24×7"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="agreements")
    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    start_date = models.DateField()
    end_date = models.DateField(
        null=True, blank=True, help_text="Blank for an evergreen agreement."
    )
    auto_renew = models.BooleanField(default=False)
    notice_days = models.PositiveSmallIntegerField(
        default=60, help_text="Days before the end date by which either side must give notice."
    )
    billing_cycle = models.CharField(
        max_length=10, choices=BillingCycle.choices, default=BillingCycle.MONTHLY
    )
    annual_value = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    sla_response_hours = models.PositiveSmallIntegerField(
        default=4, verbose_name="SLA response (hours)"
    )
    support_hours = models.CharField(
        max_length=5, choices=SupportHours.choices, default=SupportHours.BUSINESS
    )
    services = models.ManyToManyField(Service, through="AgreementService", related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_agreements",
    )
    notes = models.TextField(blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["client__name", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="agreement_end_not_before_start",
                violation_error_message="End date is before the start date.",
            ),
            models.CheckConstraint(
                condition=Q(annual_value__gte=0),
                name="agreement_annual_value_not_negative",
                violation_error_message="Annual value cannot be negative.",
            ),
        ]
        indexes = [models.Index(fields=["status", "start_date", "end_date"])]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {
                    "end_date": f"End date ({self.end_date}) is before the start date "
                    f"({self.start_date})."
                }
            )

    def is_active_on(self, day):
        return (
            self.status == self.Status.ACTIVE
            and self.start_date <= day
            and (self.end_date is None or self.end_date >= day)
        )

    @property
    def notice_date(self):
        """The last day to give notice before the end date; None for evergreen agreements."""
        if self.end_date is None:
            return None
        return self.end_date - datetime.timedelta(days=self.notice_days)


class AgreementReferenceCounter(models.Model):
    """Last reference number handed out per year; its row lock serializes concurrent creation."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class AgreementService(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="agreement_services"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="agreement_services"
    )

    class Meta:
        ordering = ["service__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "service"],
                name="agreementservice_unique",
                violation_error_message="This service is already part of the agreement.",
            )
        ]

    def __str__(self):
        return str(self.service)


def requirement_label(*, skill_name, version_label, min_level, certification_name):
    """What a requirement asks for: "Exchange 2016 at level 3+", "CCNA", or both with "and"."""
    parts = []
    if skill_name is not None:
        version = f" {version_label}" if version_label else ""
        parts.append(f"{skill_name}{version} at level {min_level}+")
    if certification_name is not None:
        parts.append(certification_name)
    return " and ".join(parts)


class Requirement(TimeStampedModel):
    class Source(models.TextChoices):
        DERIVED = "derived", "Derived from services and environment"
        MANUAL = "manual", "Added by hand"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="requirements")
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, null=True, blank=True, related_name="requirements"
    )
    version = models.ForeignKey(
        SkillVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="requirements"
    )
    certification = models.ForeignKey(
        Certification,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
    )
    min_level = models.PositiveSmallIntegerField(
        choices=Level.choices, default=Level.INDEPENDENT, validators=LEVEL_VALIDATORS
    )
    min_technicians = models.PositiveSmallIntegerField(
        default=default_min_technicians, validators=[MinValueValidator(1)]
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="requirements"
    )
    notes = models.CharField(max_length=255, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["agreement", "skill__name", "version__rank", "certification__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(skill__isnull=False) | Q(certification__isnull=False),
                name="requirement_skill_or_certification",
                violation_error_message="A requirement needs a skill, a certification, or both.",
            ),
            models.CheckConstraint(
                condition=Q(version__isnull=True) | Q(skill__isnull=False),
                name="requirement_version_needs_skill",
                violation_error_message="A version needs a skill.",
            ),
            models.CheckConstraint(
                condition=Q(source="manual") | Q(service__isnull=False, skill__isnull=False),
                name="requirement_derived_has_service_and_skill",
                violation_error_message="A derived requirement needs its service and skill.",
            ),
            models.CheckConstraint(
                condition=Q(min_level__gte=1, min_level__lte=5),
                name="requirement_min_level_1_to_5",
                violation_error_message="Minimum level must be between 1 and 5.",
            ),
            models.CheckConstraint(
                condition=Q(min_technicians__gte=1),
                name="requirement_min_technicians_at_least_1",
                violation_error_message="At least one technician must be required.",
            ),
            models.UniqueConstraint(
                fields=["agreement", "service", "skill", "version"],
                condition=Q(source="derived", version__isnull=False),
                name="requirement_derived_unique_with_version",
                violation_error_message="The service already requires this skill and version.",
            ),
            models.UniqueConstraint(
                fields=["agreement", "service", "skill"],
                condition=Q(source="derived", version__isnull=True),
                name="requirement_derived_unique_without_version",
                violation_error_message="The service already requires this skill.",
            ),
        ]
        indexes = [models.Index(fields=["skill", "min_level"])]

    def __str__(self):
        return (
            requirement_label(
                skill_name=self.skill.name if self.skill_id else None,
                version_label=self.version.label if self.version_id else None,
                min_level=self.min_level,
                certification_name=self.certification.name if self.certification_id else None,
            )
            or "(empty requirement)"
        )

    def clean(self):
        errors = {}
        if not self.skill_id and not self.certification_id:
            errors["skill"] = "Choose a skill, a certification, or both."
        if self.version_id and not self.skill_id:
            errors["version"] = "A version needs a skill."
        elif self.skill_id:
            errors.update(check_version_of_skill(self.version, self.skill, "version"))
        if self.source == self.Source.DERIVED:
            if not self.service_id:
                errors["service"] = "A derived requirement needs the service it comes from."
            if not self.skill_id:
                errors.setdefault("skill", "A derived requirement needs the skill the client runs.")
        if errors:
            raise ValidationError(errors)


class CoverageStatus(models.TextChoices):
    COVERED = "covered", "Covered"
    AT_RISK = "at_risk", "At risk"
    UNCOVERED = "uncovered", "Uncovered"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class CoverageFlag(models.Model):
    class Status(models.TextChoices):
        UNCOVERED = "uncovered", "Uncovered"
        AT_RISK = "at_risk", "At risk"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="flags")
    requirement = models.ForeignKey(
        Requirement, on_delete=models.SET_NULL, null=True, blank=True, related_name="flags"
    )
    requirement_label = models.CharField(
        max_length=255, help_text="What was required, kept after the requirement is gone."
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=500)
    qualified_count = models.PositiveIntegerField(default=0)
    lapses_on = models.DateField(null=True, blank=True)
    first_detected_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-first_detected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["requirement"],
                condition=Q(resolved_at__isnull=True),
                name="coverageflag_one_open_per_requirement",
                violation_error_message="This requirement already has an open flag.",
            )
        ]
        indexes = [
            models.Index(
                fields=["agreement"],
                condition=Q(resolved_at__isnull=True),
                name="coverageflag_open_by_agreement",
            ),
            models.Index(fields=["resolved_at"]),
        ]

    def __str__(self):
        return f"{self.get_status_display()}: {self.requirement_label}"

    @property
    def is_open(self):
        return self.resolved_at is None


class CoverageRun(models.Model):
    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (no recipients)"

    run_date = models.DateField(unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    agreements_count = models.PositiveIntegerField(default=0)
    covered_count = models.PositiveIntegerField(default=0)
    at_risk_count = models.PositiveIntegerField(default=0)
    uncovered_count = models.PositiveIntegerField(default=0)
    not_assessed_count = models.PositiveIntegerField(default=0)
    arr_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    arr_uncovered = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    arr_at_risk = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    new_flags_count = models.PositiveIntegerField(default=0)
    resolved_flags_count = models.PositiveIntegerField(default=0)
    open_flags_count = models.PositiveIntegerField(default=0)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-run_date"]

    def __str__(self):
        return f"Coverage run {self.run_date}"

    @property
    def is_finished(self):
        return self.finished_at is not None

    @property
    def arr_at_risk_total(self) -> Decimal:
        """ARR of the agreements not covered: uncovered plus at risk."""
        return self.arr_uncovered + self.arr_at_risk


class Competitor(TimeStampedModel):
    name = models.CharField(max_length=150)
    website = WebsiteField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="competitor_name_unique_ci",
                violation_error_message="A competitor with this name already exists.",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if name_taken(self):
            raise ValidationError({"name": f"A competitor named “{self.name}” already exists."})


class CompetitorOffering(TimeStampedModel):
    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="offerings")
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="competitor_offerings",
        help_text="Our matching service, when we have one.",
    )
    name = models.CharField(
        max_length=150, blank=True, help_text="The offering's name when none of ours matches."
    )
    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Their price per month, as advertised.",
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["competitor__name", "service__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=False) | ~Q(name=""),
                name="competitoroffering_service_or_name",
                violation_error_message="Pick one of our services or type the offering's name.",
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0),
                name="competitoroffering_price_not_negative",
                violation_error_message="Price cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.competitor}: {self.offering_name}"

    @property
    def offering_name(self):
        return self.service.name if self.service_id else self.name

    def clean(self):
        if not self.service_id and not self.name.strip():
            raise ValidationError({"name": "Pick one of our services or type the offering's name."})
