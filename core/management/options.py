import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from core.validators import date_in_range


def run_date_option(value: str | None, *, default: datetime.date | None = None) -> datetime.date:
    """The --date option; without one, `default` or else today in TIME_ZONE.

    A bad date stops the command with exit code 2, like any other bad argument.
    """
    if value is None:
        return default or timezone.localdate()
    try:
        day = datetime.datetime.strptime(value, "%Y-%m-%d").date()
        date_in_range(day)
    except ValueError:
        raise CommandError(
            f"--date must be a date as YYYY-MM-DD, e.g. 2026-11-26, not {value!r}", returncode=2
        ) from None
    except ValidationError as error:
        raise CommandError(f"--date {value}: {error.messages[0]}", returncode=2) from None
    return day
