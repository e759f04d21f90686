import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from agreements.terms import Term, agreement_term_on, initial_term
from clients.models import Client
from core.formatting import day_text
from core.models import (
    LongTextField,
    TextLineField,
    TimeStampedModel,
    UniqueNameModel,
    optional_key,
    unique_name_constraint,
)
from core.selectors import coverage_defaults
from core.validators import date_in_range
from skills.models import (
    LEVEL_VALIDATORS,
    Certification,
    Level,
    Skill,
    SkillVersion,
    check_version_of_skill,
    level_constraint,
)


def default_min_technicians():
    """The number in force (core.selectors.coverage_defaults): one query."""
    return coverage_defaults().min_technicians


class Service(UniqueNameModel, TimeStampedModel):
    name = TextLineField(max_length=150)
    description = LongTextField(blank=True)
    skills_in_scope = models.ManyToManyField(Skill, blank=True, related_name="services")
    min_level = models.PositiveSmallIntegerField(
        choices=Level.choices, default=Level.INDEPENDENT, validators=LEVEL_VALIDATORS
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            unique_name_constraint("service"),
            level_constraint("min_level", name="service_min_level_1_to_5", label="Minimum level"),
        ]

    def __str__(self):
        return self.name


class AgreementQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> "AgreementQuerySet":
        """Agreements in force on `day`: status active, started, and not ended (or evergreen).

        The one definition of DESIGN "Coverage rules" activity, used by the engine, the pages
        and every figure of annual value.
        """
        return self.filter(active_on_condition(day))

    def update(self, **kwargs) -> int:
        """An UPDATE that keeps the stored term in step when it sets what the term derives from."""
        if not TERM_FIELDS & kwargs.keys():
            return super().update(**kwargs)
        ids = list(self.values_list("pk", flat=True))
        count = super().update(**kwargs)
        Agreement.objects.filter(pk__in=ids).terms_refresh()
        return count

    def terms_refresh(self, day: datetime.date | None = None) -> int:
        """Store the current term and notice deadline of these agreements for `day` (default
        today): after a bulk write, and nightly for the terms that ended."""
        changed = list(self.only(*TERM_FIELDS, *DERIVED_TERM_FIELDS))
        for agreement in changed:
            agreement.derived_dates_refresh(day)
        Agreement.objects.bulk_update(changed, DERIVED_TERM_FIELDS, batch_size=1000)
        return len(changed)


# What an agreement's current term derives from, and what is stored of it.
TERM_FIELDS = {"start_date", "end_date", "auto_renew", "renewal_term_months", "notice_days"}
DERIVED_TERM_FIELDS = ["term_start", "term_end", "notice_date"]


def active_on_condition(day: datetime.date) -> Q:
    """The condition of `AgreementQuerySet.active_on`, for a Case or a filter of its own. An
    agreement that renews automatically stays active after its initial end date."""
    return (Q(end_date__isnull=True) | Q(end_date__gte=day) | Q(auto_renew=True)) & Q(
        status=Agreement.Status.ACTIVE, start_date__lte=day
    )


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
    title = TextLineField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    start_date = models.DateField(validators=[date_in_range])
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text="Blank for an evergreen agreement.",
        validators=[date_in_range],
    )
    auto_renew = models.BooleanField(
        default=False,
        verbose_name="Renews automatically",
        help_text="After the end date it renews for another term unless notice is given.",
    )
    renewal_term_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        verbose_name="Renewal term (months)",
        help_text="Length of each renewal term, e.g. 12 for a year at a time.",
    )
    notice_days = models.PositiveSmallIntegerField(
        default=60,
        validators=[MaxValueValidator(3650)],
        help_text="Days before the end of a term by which either side must give notice.",
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
    owner = optional_key(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="owned_agreements"
    )
    notes = LongTextField(blank=True)
    # The current term (agreements.terms), derived on every save and refreshed nightly, stored
    # so that lists and the dashboard filter and sort by it in SQL.
    term_start = models.DateField(null=True, blank=True, editable=False)
    term_end = models.DateField(
        null=True, blank=True, editable=False, help_text="Empty when evergreen."
    )
    notice_date = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The last day to give notice before the current term ends; empty when evergreen.",
    )
    history = HistoricalRecords(excluded_fields=["updated_at", *DERIVED_TERM_FIELDS])

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["client__name", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="agreement_end_not_before_start",
                violation_error_message="End date is before the start date.",
            ),
            models.CheckConstraint(
                condition=Q(renewal_term_months__gte=1),
                name="agreement_renewal_term_at_least_a_month",
                violation_error_message="A renewal term is at least one month.",
            ),
            models.CheckConstraint(
                condition=Q(annual_value__gte=0),
                name="agreement_annual_value_not_negative",
                violation_error_message="Annual value cannot be negative.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "start_date", "end_date"]),
            models.Index(fields=["status", "notice_date"], name="agreement_status_notice_date"),
            models.Index(fields=["status", "term_end"], name="agreement_status_term_end"),
            # Lists are ordered by client name, then reference: with the client name index,
            # a page of them is read in order instead of sorting them all.
            models.Index(fields=["client", "reference"], name="agreement_client_reference"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(
                {
                    "end_date": f"End date ({day_text(self.end_date)}) is before the start "
                    f"date ({day_text(self.start_date)})."
                }
            )

    def current_term(self, day: datetime.date | None = None) -> Term | None:
        """The term in force on `day` (default today); None once an agreement that does not
        renew has ended."""
        return agreement_term_on(self, day or timezone.localdate())

    def derived_dates_refresh(self, day: datetime.date | None = None) -> None:
        """Store the current term and its notice deadline (after the end of an agreement that
        does not renew: its last term); save() calls it, and so must code that writes
        agreements with bulk_create."""
        if self.start_date is None:
            return
        term = self.current_term(day) or initial_term(
            start_date=self.start_date, end_date=self.end_date, notice_days=self.notice_days
        )
        self.term_start, self.term_end, self.notice_date = term.start, term.end, term.notice_by

    def save(self, *args, update_fields=None, **kwargs):
        self.derived_dates_refresh()
        if update_fields is not None and TERM_FIELDS & set(update_fields):
            update_fields = {*update_fields, *DERIVED_TERM_FIELDS}
        super().save(*args, update_fields=update_fields, **kwargs)


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
    skill = optional_key(Skill, on_delete=models.PROTECT, related_name="requirements")
    version = optional_key(SkillVersion, on_delete=models.PROTECT, related_name="requirements")
    certification = optional_key(
        Certification, on_delete=models.PROTECT, related_name="requirements"
    )
    min_level = models.PositiveSmallIntegerField(
        choices=Level.choices, default=Level.INDEPENDENT, validators=LEVEL_VALIDATORS
    )
    min_technicians = models.PositiveSmallIntegerField(
        default=default_min_technicians, validators=[MinValueValidator(1)]
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    service = optional_key(Service, on_delete=models.CASCADE, related_name="requirements")
    notes = TextLineField(max_length=255, blank=True)
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
            level_constraint(
                "min_level", name="requirement_min_level_1_to_5", label="Minimum level"
            ),
            models.CheckConstraint(
                condition=Q(min_technicians__gte=1),
                name="requirement_min_technicians_at_least_1",
                violation_error_message="At least one technician must be required.",
            ),
            models.UniqueConstraint(
                fields=["agreement", "skill", "version"],
                condition=Q(source="derived", version__isnull=False),
                name="requirement_derived_unique_skill_version",
                violation_error_message="The agreement already requires this skill and version.",
            ),
            models.UniqueConstraint(
                fields=["agreement", "skill"],
                condition=Q(source="derived", version__isnull=True),
                name="requirement_derived_unique_skill",
                violation_error_message="The agreement already requires this skill.",
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
