"""Weekly patterns: a technician's working hours, an on-call rota's hours, an agreement's support
window (DESIGN "Coverage through the support window").

A pattern is a set of periods (weekday 0 = Monday … 6, start, end) in some local time, on the
half hour; an end of 00:00 (written 24:00 in settings) means midnight at the end of the day. A
period covers the half hours whose local start is at or after its start and before its end. The
text form, used by the settings and the presets, reads "Mon-Fri 09:00-17:00, Sat 10:00-14:00".
"""

import datetime
import re
from typing import NamedTuple

from django.conf import settings

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SLOTS_PER_DAY = 48
SLOT_MINUTES = 30
MIDNIGHT = datetime.time(0, 0)


class WeeklyPeriod(NamedTuple):
    weekday: int  # 0 = Monday
    start: int  # minutes after local midnight, on the half hour
    end: int  # minutes after local midnight, up to 1440 (midnight at the end of the day)

    @classmethod
    def of(cls, weekday: int, start: datetime.time, end: datetime.time) -> "WeeklyPeriod":
        """From a model row's times: an end of 00:00 is the day's end."""
        end_minutes = end.hour * 60 + end.minute or 24 * 60
        return cls(weekday, start.hour * 60 + start.minute, end_minutes)

    def row_fields(self) -> dict:
        """A model row's weekday, start and end (the inverse of `of`): the day's end is 00:00."""
        end = self.end % (24 * 60)
        return {
            "weekday": self.weekday,
            "start": datetime.time(self.start // 60, self.start % 60),
            "end": datetime.time(end // 60, end % 60),
        }

    @property
    def half_hours(self) -> range:
        """The indices (weekday × 48 + half hour of the day) of the half hours it covers."""
        base = self.weekday * SLOTS_PER_DAY
        return range(base + self.start // SLOT_MINUTES, base + self.end // SLOT_MINUTES)


PERIOD = re.compile(
    r"^(?P<first>[A-Za-z]{3})(?:\s*[-–]\s*(?P<last>[A-Za-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*[-–]\s*(?P<end>\d{1,2}:\d{2})$"
)


def parse_pattern(text: str) -> tuple[WeeklyPeriod, ...]:
    """The periods of "Mon-Fri 09:00-17:00, Sat 10:00-14:00"; ValueError says what is wrong.
    An empty text is an empty pattern."""
    periods = []
    for part in filter(None, (part.strip() for part in re.split(r"[,;]", text))):
        found = PERIOD.match(part)
        if found is None:
            raise ValueError(f"“{part}” is not a period such as “Mon-Fri 09:00-17:00”.")
        first = _weekday(found["first"], part)
        last = _weekday(found["last"], part) if found["last"] else first
        if last < first:
            raise ValueError(f"“{part}”: the days run Monday to Sunday.")
        start, end = _minutes(found["start"], part), _minutes(found["end"], part)
        if not start < end:
            raise ValueError(f"“{part}”: the start must come before the end.")
        periods.extend(WeeklyPeriod(day, start, end) for day in range(first, last + 1))
    overlap = first_overlap(periods)
    if overlap:
        raise ValueError(overlap)
    return tuple(sorted(periods))


def first_overlap(periods) -> str:
    """A sentence naming the first two periods of one weekday that overlap, or ""."""
    ordered = sorted(periods)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.weekday == after.weekday and after.start < before.end:
            return (
                f"{DAY_NAMES[before.weekday]} {clock(before.start)}–{clock(before.end)} overlaps "
                f"{clock(after.start)}–{clock(after.end)}."
            )
    return ""


def overlap_message(periods) -> str:
    """What refuses a pattern whose periods of a day overlap, or "" when none do."""
    overlap = first_overlap(periods)
    return f"{overlap} Join them or move one." if overlap else ""


def _weekday(name: str, part: str) -> int:
    try:
        return DAY_NAMES.index(name.capitalize())
    except ValueError:
        raise ValueError(f"“{part}”: days are written Mon, Tue, Wed, Thu, Fri, Sat, Sun.") from None


def _minutes(text: str, part: str) -> int:
    hours, minutes = (int(piece) for piece in text.split(":"))
    if minutes not in (0, 30) or not 0 <= hours * 60 + minutes <= 24 * 60:
        raise ValueError(f"“{part}”: times are on the half hour, from 00:00 to 24:00.")
    return hours * 60 + minutes


def clock(minutes: int) -> str:
    """09:00, 17:30; the end of the day is 24:00."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def pattern_text(periods) -> str:
    """The text form, days with the same hours run together: "Mon–Fri 09:00–17:00"."""
    by_hours: dict[tuple[int, int], list[int]] = {}
    for period in sorted(periods):
        by_hours.setdefault((period.start, period.end), []).append(period.weekday)
    parts = []
    for (start, end), days in sorted(by_hours.items(), key=lambda item: (item[1][0], item[0])):
        for run in _runs(days):
            names = (
                DAY_NAMES[run[0]] if len(run) == 1 else f"{DAY_NAMES[run[0]]}–{DAY_NAMES[run[-1]]}"
            )
            parts.append((run[0], start, f"{names} {clock(start)}–{clock(end)}"))
    return ", ".join(text for *_, text in sorted(parts))


def _runs(days):
    runs = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def half_hours(periods) -> frozenset[int]:
    """The week's half hours (weekday × 48 + half hour of the day) the pattern covers."""
    return frozenset(index for period in periods for index in period.half_hours)


def periods_of_half_hours(indices) -> tuple[WeeklyPeriod, ...]:
    """The pattern covering exactly `indices`, consecutive half hours of a day as one period."""
    periods = []
    for index in sorted(indices):
        weekday, slot = divmod(index, SLOTS_PER_DAY)
        start = slot * SLOT_MINUTES
        if periods and periods[-1].weekday == weekday and periods[-1].end == start:
            periods[-1] = periods[-1]._replace(end=start + SLOT_MINUTES)
        else:
            periods.append(WeeklyPeriod(weekday, start, start + SLOT_MINUTES))
    return tuple(periods)


def complement(periods) -> tuple[WeeklyPeriod, ...]:
    """Every half hour of the week the pattern does not cover."""
    return periods_of_half_hours(set(range(7 * SLOTS_PER_DAY)) - half_hours(periods))


def default_working_hours() -> tuple[WeeklyPeriod, ...]:
    """settings.DEFAULT_WORKING_HOURS: the hours of a technician without rows of their own."""
    return parse_pattern(settings.DEFAULT_WORKING_HOURS)


def default_rota_hours() -> tuple[WeeklyPeriod, ...]:
    """The hours of a rota without rows of its own: every slot outside the default working
    hours."""
    return complement(default_working_hours())


def support_window(support_hours: str) -> tuple[WeeklyPeriod, ...]:
    """settings.SUPPORT_WINDOWS[support_hours] (8x5, 12x5, 24x7), in the client's time."""
    return parse_pattern(settings.SUPPORT_WINDOWS[support_hours])


# The presets of the working hours form.
PRESETS = {
    "mon_fri_9_5": ("Mon–Fri 9–5", "Mon-Fri 09:00-17:00"),
    "mon_fri_8_6": ("Mon–Fri 8–6", "Mon-Fri 08:00-18:00"),
}
