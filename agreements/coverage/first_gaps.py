"""How pages and the report name a requirement's first gap in the support window (DESIGN
"Coverage through the support window"): its hours in the client's time, its cause, and the hours
a week uncovered; and which gaps of a check fall in the next days because of people's time
(time off, an on-call turn, a last day, a certification's expiry).
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from agreements.coverage.models import CheckedRequirement, GapCause
from core.formatting import MONTHS, day_text

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# The dashboard's and the report's "On-call and time-off gaps in the next 14 days": the gaps
# people's time makes, soon enough to act on; a gap outside anyone's hours, or a skill nobody
# has, is there every week and listed with the uncovered requirements instead.
PEOPLE_GAP_DAYS = 14
PEOPLE_GAP_CAUSES = (
    GapCause.TIME_OFF,
    GapCause.ON_CALL_UNQUALIFIED,
    GapCause.LAST_DAY,
    GapCause.CERTIFICATION_EXPIRY,
)
# Gaps that a qualified person on call would close: "add to the rota".
ROTA_GAP_CAUSES = (GapCause.OUTSIDE_HOURS, GapCause.ON_CALL_UNQUALIFIED)


def gap_hours_text(
    starts_at: datetime.datetime | None, ends_at: datetime.datetime | None, zone: str
) -> str:
    """A gap's hours in `zone`, the client's: "Mon 7 Dec 2026 00:00–09:00"; a gap to midnight
    ends at 24:00. "" without a gap."""
    if starts_at is None or ends_at is None:
        return ""
    tz = ZoneInfo(zone or settings.TIME_ZONE)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    end_text = "24:00" if end.date() > start.date() and end.time() == datetime.time() else None
    weekday = WEEKDAYS[start.weekday()]
    return f"{weekday} {day_text(start.date())} {start:%H:%M}–{end_text or f'{end:%H:%M}'}"


def short_day_text(day: datetime.date) -> str:
    """ "Mon 7 Dec", for the rows of a week."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def uncovered_hours_text(hours: Decimal | None) -> str:
    """ "128 hours a week uncovered", "0.5 hours …"; "" for none."""
    if not hours:
        return ""
    number = f"{hours.normalize():f}" if isinstance(hours, Decimal) else str(hours)
    return f"{number} hour{'' if Decimal(number) == 1 else 's'} a week uncovered"


def people_gaps(coverage_check, *, within_days: int = PEOPLE_GAP_DAYS) -> QuerySet:
    """The requirements `coverage_check` recorded with a first gap that people's time makes
    (PEOPLE_GAP_CAUSES) starting before midnight (in TIME_ZONE) `within_days` after its day,
    with `annual_value`, the agreement's value as the check recorded it; the most valuable
    first, then the soonest."""
    horizon = datetime.datetime.combine(
        coverage_check.check_date + datetime.timedelta(days=within_days),
        datetime.time(),
        tzinfo=ZoneInfo(settings.TIME_ZONE),
    )
    return _most_valuable_first(
        CheckedRequirement.objects.filter(
            coverage_check=coverage_check,
            gap_cause__in=PEOPLE_GAP_CAUSES,
            gap_starts_at__lt=horizon,
        )
    )


def rota_gaps(coverage_check) -> QuerySet:
    """The requirements `coverage_check` recorded with a first gap that a qualified person on
    call would close (ROTA_GAP_CAUSES: nobody qualified is at work or on call then, though
    someone qualifies), with `annual_value` as people_gaps, the most valuable first."""
    return _most_valuable_first(
        CheckedRequirement.objects.filter(
            coverage_check=coverage_check, gap_cause__in=ROTA_GAP_CAUSES, qualified_count__gt=0
        )
    )


def _most_valuable_first(rows: QuerySet) -> QuerySet:
    return rows.order_by("-annual_value", "gap_starts_at", "pk")
