"""The firm's vendor partner programmes and what each tier asks of the team (DESIGN
"Technicians keep their own skills": partner programmes). Whether the team meets them is worked
out by each coverage check (agreements/coverage/programmes.py)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from core.models import LongTextField, TextLineField, TimeStampedModel, optional_key
from core.validators import date_in_range
from skills.models.team import (
    LEVEL_VALIDATORS,
    Certification,
    Level,
    Skill,
    level_constraint,
)

MAX_RULES = 20  # a tier asks for a handful of certifications and skills


class PartnerProgram(TimeStampedModel):
    """A vendor's partner programme at the tier the firm holds, e.g. Microsoft "Solutions
    Partner — Modern Work": what it is worth a year (discounts, rebates, leads) and when the
    vendor next reviews it."""

    vendor = TextLineField(max_length=100)
    tier = TextLineField(
        max_length=150,
        help_text="The programme and level held, e.g. “Solutions Partner — Modern "
        "Work” or “Advanced Partner”.",
    )
    renewal_date = models.DateField(
        null=True,
        blank=True,
        validators=[date_in_range],
        help_text="When the vendor next reviews the tier. Blank when unknown.",
    )
    yearly_benefit = models.DecimalField(
        "yearly benefit",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="What losing the tier would cost a year: discounts, rebates, funds.",
    )
    notes = LongTextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["vendor", "tier"]
        verbose_name = "partner programme"
        constraints = [
            models.UniqueConstraint(
                Lower("vendor"),
                Lower("tier"),
                name="partnerprogram_vendor_tier_unique_ci",
                violation_error_message="This vendor already has a programme with this tier.",
            ),
            models.CheckConstraint(
                condition=Q(yearly_benefit__gte=0),
                name="partnerprogram_benefit_not_negative",
                violation_error_message="The yearly benefit cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.vendor} {self.tier}"

    def clean(self):
        others = PartnerProgram.objects.filter(
            vendor__iexact=self.vendor, tier__iexact=self.tier
        ).exclude(pk=self.pk)
        if self.vendor and self.tier and others.exists():
            raise ValidationError({"tier": "This vendor already has a programme with this tier."})


class PartnerRule(models.Model):
    """One thing a tier asks for: at least `min_technicians` people holding a certification,
    or having a skill at `min_level` or above."""

    program = models.ForeignKey(PartnerProgram, on_delete=models.CASCADE, related_name="rules")
    certification = optional_key(
        Certification, on_delete=models.PROTECT, related_name="partner_rules"
    )
    skill = optional_key(Skill, on_delete=models.PROTECT, related_name="partner_rules")
    min_level = models.PositiveSmallIntegerField(
        "minimum level",
        choices=Level.choices,
        null=True,
        blank=True,
        validators=LEVEL_VALIDATORS,
    )
    min_technicians = models.PositiveSmallIntegerField(
        "minimum technicians",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(certification__isnull=False, skill__isnull=True, min_level__isnull=True)
                | Q(certification__isnull=True, skill__isnull=False, min_level__isnull=False),
                name="partnerrule_certification_or_skill_at_level",
                violation_error_message="Choose a certification, or a skill with a level.",
            ),
            level_constraint("min_level", name="partnerrule_min_level_1_to_5", label="Level"),
            models.CheckConstraint(
                condition=Q(min_technicians__gte=1),
                name="partnerrule_min_technicians_positive",
                violation_error_message="A rule needs at least one technician.",
            ),
        ]

    def __str__(self):
        return f"{self.program}: {self.requirement_text}"

    @property
    def requirement_text(self) -> str:
        """ "2 technicians certified MS-102" or "1 technician with Intune at level 4 or
        above"."""
        people = f"{self.min_technicians} technician{'s' if self.min_technicians != 1 else ''}"
        return f"{people} {self.what_text}"

    @property
    def what_text(self) -> str:
        if self.certification_id:
            return f"certified {self.certification.name}"
        return f"with {self.skill.name} at level {self.min_level} or above"

    def clean(self):
        errors = {}
        if self.certification_id and (self.skill_id or self.min_level is not None):
            errors["certification"] = "Choose a certification or a skill, not both."
        elif not self.certification_id and not self.skill_id:
            errors["certification"] = "Choose a certification, or a skill with a level."
        elif self.skill_id and self.min_level is None:
            errors["min_level"] = "A skill needs the level the tier asks for."
        elif self.min_level is not None and not self.skill_id:
            errors["skill"] = "A level needs a skill."
        if errors:
            raise ValidationError(errors)
