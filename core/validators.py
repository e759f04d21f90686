"""Validators for values a person types, shared by the apps' models and commands."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.formatting import day_text

# Dates outside this range are typing mistakes (2062 for 2026, year 20260), not plans.
EARLIEST_DATE = datetime.date(1990, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
DATE_RANGE_MESSAGE = f"Enter a date between {day_text(EARLIEST_DATE)} and {day_text(LATEST_DATE)}."


def date_in_range(value: datetime.date) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_out_of_range")


def date_not_in_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise ValidationError("This date is in the future.", code="date_in_future")
