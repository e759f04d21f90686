"""The team's time (DESIGN "Coverage through the support window"): working hours, time off and
on-call rotas. Times are local to the technician (working hours, time off) or to the rota (its
hours, its hand-offs); the moments of a rota's start and its overrides are aware."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from core.choices import ChoiceSet
from core.formatting import day_text
from core.models import LongTextField, TextLineField, TimeStampedModel, TimeZoneField
from core.validators import date_in_range
from skills.models.team import Technician
from skills.weekly_patterns import DAY_NAMES, MIDNIGHT, WeeklyPeriod, clock

WEEKDAYS = [
    (index, name)
    for index, name in enumerate(
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    )
]
MAX_ROTATION_DAYS = 366


def on_the_half_hour(value: datetime.time) -> None:
    if value.minute not in (0, 30) or value.second or value.microsecond:
        raise ValidationError(
            "Times are on the half hour (09:00, 17:30).", code="half_hour", params={"value": value}
        )


def moment_on_the_half_hour(value: datetime.datetime) -> None:
    if value.minute not in (0, 30) or value.second or value.microsecond:
        raise ValidationError(
            "Moments are on the half hour (09:00, 17:30).",
            code="half_hour",
            params={"value": value},
        )


class WeeklyPeriodModel(models.Model):
    """A period of a weekly pattern: weekday, start, end on the half hour; an end of 00:00 is
    midnight at the end of the day."""

    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS, validators=[MaxValueValidator(6)])
    start = models.TimeField(validators=[on_the_half_hour])
    end = models.TimeField(
        validators=[on_the_half_hour], help_text="00:00 means midnight at the end of the day."
    )

    class Meta:
        abstract = True
        ordering = ["weekday", "start"]

    def __str__(self):
        period = self.period
        return f"{DAY_NAMES[period.weekday]} {clock(period.start)}–{clock(period.end)}"

    @property
    def period(self) -> WeeklyPeriod:
        return WeeklyPeriod.of(self.weekday, self.start, self.end)

    def clean(self):
        super().clean()
        times_given = self.start is not None and self.end is not None
        if times_given and self.end != MIDNIGHT and self.end <= self.start:
            raise ValidationError(
                {"end": "The end must come after the start (00:00 means midnight)."}
            )


def period_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(
            condition=Q(weekday__gte=0, weekday__lte=6),
            name=f"{prefix}_weekday_0_to_6",
            violation_error_message="The weekday is 0 (Monday) to 6 (Sunday).",
        ),
        models.CheckConstraint(
            condition=Q(end=MIDNIGHT) | Q(end__gt=F("start")),
            name=f"{prefix}_start_before_end",
            violation_error_message="The end must come after the start (00:00 means midnight).",
        ),
    ]


class WorkingHours(WeeklyPeriodModel):
    """A period of a technician's working week, in their time zone. A technician without rows
    works settings.DEFAULT_WORKING_HOURS."""

    technician = models.ForeignKey(
        Technician, on_delete=models.CASCADE, related_name="working_hours"
    )
    history = HistoricalRecords()

    class Meta(WeeklyPeriodModel.Meta):
        verbose_name_plural = "working hours"
        constraints = [
            *period_constraints("working_hours"),
            models.UniqueConstraint(
                fields=["technician", "weekday", "start"], name="working_hours_unique_start"
            ),
        ]


class TimeOff(TimeStampedModel):
    """Whole local days (the technician's) a technician is away, on call included."""

    class Kind(ChoiceSet):
        VACATION = "vacation", "Vacation", "info"
        SICK = "sick", "Sick leave", "warning"
        TRAINING = "training", "Training", "primary"
        OTHER = "other", "Other", "secondary"

    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="time_off")
    first_day = models.DateField(validators=[date_in_range])
    last_day = models.DateField(validators=[date_in_range], help_text="The last day away.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.VACATION)
    note = TextLineField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["first_day", "technician__name"]
        verbose_name_plural = "time off"
        indexes = [models.Index(fields=["last_day", "first_day"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="time_off_last_on_or_after_first",
                violation_error_message="The last day cannot come before the first.",
            )
        ]

    def __str__(self):
        return f"{self.technician}: {self.get_kind_display().lower()}, {self.days_text}"

    @property
    def days_text(self) -> str:
        if self.first_day == self.last_day:
            return day_text(self.first_day)
        return f"{day_text(self.first_day)} – {day_text(self.last_day)}"

    def get_kind_color(self) -> str:
        return self.Kind(self.kind).color

    def clean(self):
        super().clean()
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": "The last day cannot come before the first."})


class OnCallRota(TimeStampedModel):
    """Who is on call, in turn. Hand-offs happen every `rotation_days` calendar days at the local
    time of `starts_at` in the rota's zone; inside the rota's hours (its `hours` rows, or every
    slot outside DEFAULT_WORKING_HOURS without any) turn k is members[k mod n]."""

    name = TextLineField(max_length=120, unique=True)
    time_zone = TimeZoneField(help_text="The zone of the rota's hours and its hand-offs.")
    starts_at = models.DateTimeField(
        "first hand-off",
        validators=[moment_on_the_half_hour],
        help_text="When the first member's turn begins; later turns begin at the same local time.",
    )
    rotation_days = models.PositiveSmallIntegerField(
        "days per turn",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ROTATION_DAYS)],
    )
    notes = LongTextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "on-call rota"
        constraints = [
            models.CheckConstraint(
                condition=Q(rotation_days__gte=1, rotation_days__lte=MAX_ROTATION_DAYS),
                name="rota_rotation_days_in_range",
                violation_error_message=f"A turn lasts 1 to {MAX_ROTATION_DAYS} days.",
            )
        ]

    def __str__(self):
        return self.name


class OnCallRotaHours(WeeklyPeriodModel):
    """A period of a rota's on-call hours, in the rota's zone."""

    rota = models.ForeignKey(OnCallRota, on_delete=models.CASCADE, related_name="hours")
    history = HistoricalRecords()

    class Meta(WeeklyPeriodModel.Meta):
        verbose_name = "on-call hours"
        verbose_name_plural = "on-call hours"
        constraints = [
            *period_constraints("rota_hours"),
            models.UniqueConstraint(fields=["rota", "weekday", "start"], name="rota_hours_unique"),
        ]


class OnCallMember(models.Model):
    rota = models.ForeignKey(OnCallRota, on_delete=models.CASCADE, related_name="members")
    technician = models.ForeignKey(
        Technician, on_delete=models.CASCADE, related_name="rota_memberships"
    )
    position = models.PositiveSmallIntegerField(help_text="0 takes the first turn.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["rota", "position"]
        verbose_name = "on-call member"
        constraints = [
            models.UniqueConstraint(fields=["rota", "position"], name="rota_member_position"),
            models.UniqueConstraint(fields=["rota", "technician"], name="rota_member_once"),
        ]

    def __str__(self):
        return f"{self.rota}: {self.position + 1}. {self.technician}"


class OnCallOverride(TimeStampedModel):
    """`technician` is on call instead of the scheduled member, inside the rota's hours, from
    `starts_at` up to `ends_at` (a swap or cover). Where overrides overlap, the newest wins."""

    rota = models.ForeignKey(OnCallRota, on_delete=models.CASCADE, related_name="overrides")
    technician = models.ForeignKey(
        Technician, on_delete=models.CASCADE, related_name="rota_overrides"
    )
    starts_at = models.DateTimeField(validators=[moment_on_the_half_hour])
    ends_at = models.DateTimeField(validators=[moment_on_the_half_hour])
    note = TextLineField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rota", "starts_at", "created_at"]
        verbose_name = "on-call override"
        indexes = [models.Index(fields=["rota", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="rota_override_ends_after_start",
                violation_error_message="An override ends after it starts.",
            )
        ]

    def __str__(self):
        return f"{self.rota}: {self.technician} from {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "An override ends after it starts."})
