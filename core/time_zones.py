"""Time zones the app accepts: IANA names (zoneinfo), whose offset from UTC is a whole number of
half hours at every moment the app can look at. Coverage counts time in UTC half hours (DESIGN
"Coverage through the support window"), so a zone such as Asia/Kathmandu (UTC+05:45) is refused:
its local half hours would straddle two slots."""

import datetime
import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError

# The years whose offsets are checked: far enough on both sides of any date the app evaluates.
CHECKED_YEARS = range(2000, 2051)


@functools.cache
def half_hour_zone(name: str) -> bool:
    """Whether `name` is an IANA zone whose offset is a multiple of 30 minutes in January and in
    July of every checked year (daylight saving included)."""
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    for year in CHECKED_YEARS:
        for month in (1, 7):
            offset = datetime.datetime(year, month, 15, 12, tzinfo=zone).utcoffset()
            if offset.total_seconds() % 1800:
                return False
    return True


def validate_time_zone(value: str) -> None:
    if not value or value != value.strip() or "/" not in value and value != "UTC":
        raise ValidationError(
            "Give an IANA time zone name such as “Europe/London” or “America/Chicago”.",
            code="time_zone",
        )
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "“%(value)s” is not a time zone name: give one such as “Europe/London”.",
            code="time_zone",
            params={"value": value},
        ) from None
    if not half_hour_zone(value):
        raise ValidationError(
            "%(value)s is offset from UTC by a quarter hour; coverage counts time in half hours, "
            "so choose a zone on the half hour.",
            code="time_zone",
            params={"value": value},
        )


@functools.cache
def time_zone_choices() -> tuple[tuple[str, str], ...]:
    """(name, name) of every accepted zone, by name: the choices of a time zone form field."""
    names = sorted(
        name
        for name in zoneinfo.available_timezones()
        if ("/" in name or name == "UTC")
        and not name.startswith(("Etc/", "SystemV/", "posix/", "right/"))
        and half_hour_zone(name)
    )
    return tuple((name, name.replace("_", " ")) for name in names)


def default_time_zone() -> str:
    """The firm's own zone (settings.TIME_ZONE): the default of a technician's, a client's and a
    rota's zone."""
    return settings.TIME_ZONE
