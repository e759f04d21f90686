"""Cells read to values: numbers, yes/no, dates in a chosen day/month order, choices by value
or label. Each reader returns the value or raises CellError with a message in plain words."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from core.validators import EARLIEST_DATE, LATEST_DATE


class CellError(Exception):
    pass


YES = {"yes", "y", "true", "1", "x", "ja", "oui", "sí", "si"}
NO = {"no", "n", "false", "0", "", "nein", "non"}

SLASHED = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")
ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
ORDERS = {"mdy": "month/day/year", "dmy": "day/month/year"}


def text(value: str) -> str:
    return value.strip()


def whole_number(value: str, *, minimum: int = 0, maximum: int = 2**31 - 1) -> int | None:
    value = value.strip().replace(",", "")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError(f"'{value[:40]}' is not a whole number") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError(f"'{value[:40]}' is not a whole number")
    if not minimum <= number <= maximum:
        raise CellError(f"{value[:40]} is not between {minimum} and {maximum:,}")
    return int(number)


def money(value: str) -> Decimal | None:
    cleaned = value.strip().replace("$", "").replace("€", "").replace("£", "").replace(" ", "")
    if not cleaned:
        return None
    # "1.234,50" (a European spreadsheet) and "1,234.50" both read as 1234.50.
    if "," in cleaned and "." in cleaned:
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif "," in cleaned and len(cleaned.rsplit(",", 1)[1]) == 2:
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(f"'{value.strip()[:40]}' is not an amount") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise CellError(f"'{value.strip()[:40]}' is not an amount between 0 and 9,999,999,999")
    return amount.quantize(Decimal("0.01"))


def website(value: str) -> str:
    """A web address, "example.com" completed to https:// as the client form completes it (a
    PSA's web address field is free text, mostly typed without its scheme)."""
    try:
        return forms.URLField(assume_scheme="https").to_python(value)
    except ValidationError:
        raise CellError(f"'{value.strip()[:40]}' is not a web address") from None


def yes_no(value: str) -> bool:
    word = value.strip().casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    raise CellError(f"'{value.strip()[:40]}' is neither yes nor no")


def is_ambiguous_date(value: str) -> bool:
    """Whether `value` reads as two different dates by day/month order ("03/04/2026")."""
    found = SLASHED.match(value.strip())
    return (
        bool(found)
        and found.group(1) != found.group(2)
        and max(int(found.group(1)), int(found.group(2))) <= 12
    )


def date(value: str, *, order: str) -> datetime.date | None:
    value = value.strip()
    if not value:
        return None
    iso = ISO.match(value)
    slashed = SLASHED.match(value)
    try:
        if iso:
            day = datetime.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        elif slashed:
            first, second, year = (int(part) for part in slashed.groups())
            if year < 100:
                year += 2000
            month, day_of_month = (first, second) if order == "mdy" else (second, first)
            day = datetime.date(year, month, day_of_month)
        else:
            raise ValueError
    except ValueError:
        hint = " in " + ORDERS[order] + " order" if slashed else ""
        raise CellError(
            f"'{value[:40]}' is not a date{hint} (write it as YYYY-MM-DD, e.g. 2026-04-03)"
        ) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise CellError(
            f"{day.isoformat()} is not between {EARLIEST_DATE.year} and {LATEST_DATE.year}"
        )
    return day


def choice(value: str, choices) -> str | None:
    """A TextChoices value from its value or label, ignoring case ("Active", "active")."""
    word = " ".join(value.split()).casefold()
    if not word:
        return None
    for stored, label in choices.choices:
        if word in (stored.casefold(), str(label).casefold()):
            return stored
    known = ", ".join(stored for stored, _ in choices.choices)
    raise CellError(f"'{value.strip()[:40]}' is not one of {known}")


WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CLOCK = re.compile(r"^(\d{1,2})[:.h](\d{2})(?::00)?$")


def weekday(value: str) -> int | None:
    """0 (Monday) … 6 from a weekday's name or its first three letters ("Mon", "monday")."""
    word = value.strip().rstrip(".").casefold()
    if not word:
        return None
    for index, name in enumerate(WEEKDAY_NAMES):
        if word == name or (len(word) >= 3 and name.startswith(word)):
            return index
    raise CellError(f"'{value.strip()[:40]}' is not a weekday (Monday … Sunday)")


def clock(value: str, *, end: bool = False) -> datetime.time | None:
    """A time of day, "09:00" or "9:30"; for an end, "24:00" is midnight at the end of the day
    (stored as 00:00)."""
    value = value.strip()
    if not value:
        return None
    found = CLOCK.match(value)
    hour, minute = (int(part) for part in found.groups()) if found else (-1, -1)
    if end and (hour, minute) == (24, 0):
        return datetime.time(0, 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise CellError(f"'{value[:40]}' is not a time of day (write it as 09:00 or 17:30)")
    return datetime.time(hour, minute)
