"""Validators for values a person types, shared by the apps' models and commands."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

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


@deconstructible
class ChoiceListValidator:
    """A list of at least one of `choices`, each at most once (a JSON list field's value)."""

    def __init__(self, choices, *, noun: str):
        self.choices = list(choices)
        self.noun = noun

    def __call__(self, values) -> None:
        if not isinstance(values, list) or not values:
            raise ValidationError(f"Choose at least one {self.noun}.", code=f"no_{self.noun}s")
        unknown = [value for value in values if value not in self.choices]
        if unknown:
            raise ValidationError(
                f"Unknown {self.noun}s: %(unknown)s.",
                code=f"unknown_{self.noun}s",
                params={"unknown": ", ".join(map(str, unknown))},
            )
        if len(set(values)) != len(values):
            raise ValidationError(
                f"Each {self.noun} may be chosen only once.", code=f"repeated_{self.noun}s"
            )

    def __eq__(self, other):
        return (
            isinstance(other, ChoiceListValidator)
            and self.choices == other.choices
            and self.noun == other.noun
        )


# Text a person or a file supplies may hold tabs and line breaks (a browser's text area and a
# Windows file send CR LF), and no other control character: PostgreSQL cannot store NUL, an
# XLSX cell holds none of the others below space, and DEL and the C1 range (U+007F–U+009F)
# are mostly what a file read in the wrong encoding leaves.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Notes, descriptions and other text areas.
NOTES_MAX_LENGTH = 10_000


def refuse_control_characters(value: str) -> None:
    found = CONTROL_CHARACTERS.search(value)
    if found is not None:
        raise ValidationError(
            "Remove the control character %(code)s (character %(position)s): only tabs and "
            "line breaks may be used.",
            code="control_character",
            params={"code": f"U+{ord(found.group()):04X}", "position": found.start() + 1},
        )


def without_control_characters(value: str) -> str:
    """`value` without what refuse_control_characters refuses."""
    return CONTROL_CHARACTERS.sub("", value)
