from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from agreements.models.contracts import Requirement, Service
from core.models import (
    LongTextField,
    TextLineField,
    TimeStampedModel,
    UniqueNameModel,
    WebsiteField,
    optional_key,
    unique_name_constraint,
)
from skills.models import TrainingGoal


class Competitor(UniqueNameModel, TimeStampedModel):
    name = TextLineField(max_length=150)
    website = WebsiteField(blank=True)
    notes = LongTextField(blank=True)

    class Meta:
        app_label = "agreements"
        ordering = ["name"]
        constraints = [unique_name_constraint("competitor")]

    def __str__(self):
        return self.name


class CompetitorOffering(TimeStampedModel):
    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="offerings")
    service = optional_key(
        Service,
        on_delete=models.SET_NULL,
        related_name="competitor_offerings",
        help_text="Our matching service, when we have one.",
    )
    name = TextLineField(
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
    notes = LongTextField(blank=True)

    class Meta:
        app_label = "agreements"
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


class PlannedRequirement(models.Model):
    """The requirement a training goal was made for ("Add to plan" from its flag): the plan
    shows the goal against that requirement's flags, and says when someone else covers it."""

    goal = models.OneToOneField(
        TrainingGoal, on_delete=models.CASCADE, related_name="planned_requirement"
    )
    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="planned_goals"
    )

    class Meta:
        app_label = "agreements"

    def __str__(self):
        return f"{self.goal} for {self.requirement}"
