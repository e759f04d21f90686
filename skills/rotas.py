"""Who is on call when (DESIGN "Coverage through the support window", on call).

Hand-offs happen every `rotation_days` calendar days at the local time of `starts_at` in the
rota's zone, so a daylight-saving change does not move them. Turn k (k = 0 from `starts_at`)
belongs to members[k mod n]; before `starts_at` nobody is on call. An override puts its
technician on call instead of the scheduled member for its interval; where overrides overlap,
the newest wins. All of this applies inside the rota's hours only (`rota_periods`): the schedule
below says whose turn it is; the hours say when that turn means being on call.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from skills.weekly_patterns import WeeklyPeriod, default_rota_hours, default_working_hours

UTC = datetime.UTC


def handoff(*, zone: str, starts_at: datetime.datetime, rotation_days: int, turn: int):
    """The aware moment turn `turn` begins: `starts_at`'s local date + turn × rotation_days, at
    its local time. A local time that a daylight-saving change skips is read as the moment after
    the gap (as zoneinfo reads it, fold 0)."""
    tz = zoneinfo.ZoneInfo(zone)
    local = starts_at.astimezone(tz)
    day = local.date() + datetime.timedelta(days=turn * rotation_days)
    wall = datetime.datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=tz)
    # Round trip through UTC: a wall time inside a spring-forward gap becomes a real moment.
    return wall.astimezone(UTC).astimezone(tz)


def turn_at(*, zone: str, starts_at: datetime.datetime, rotation_days: int, moment):
    """The turn under way at `moment`, or None before the first hand-off."""
    if moment < starts_at:
        return None
    tz = zoneinfo.ZoneInfo(zone)
    local_days = (moment.astimezone(tz).date() - starts_at.astimezone(tz).date()).days
    turn = max(local_days // rotation_days - 1, 0)
    while handoff(zone=zone, starts_at=starts_at, rotation_days=rotation_days, turn=turn + 1) <= (
        moment
    ):
        turn += 1
    return turn


@dataclass(frozen=True, slots=True)
class Segment:
    """Whose turn it is from `starts_at` up to `ends_at`."""

    technician_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    turn: int
    override_id: int | None = None  # the override that put them there, None when scheduled

    @property
    def is_override(self) -> bool:
        return self.override_id is not None


def schedule(*, rota, members, overrides, start, end) -> list[Segment]:
    """The segments of whose turn it is between `start` and `end` (aware moments), in order.

    `members`: technician ids by position; `overrides`: objects with id, technician_id,
    starts_at, ends_at and created_at (the newest wins where they overlap). A rota without
    members covers nothing, its overrides included (DESIGN)."""
    if end <= start or not members:
        return []
    zone, starts_at, days = rota.time_zone, rota.starts_at, rota.rotation_days
    first = turn_at(zone=zone, starts_at=starts_at, rotation_days=days, moment=start)
    bounds = {start, end}
    turns = []  # (begins, ends, turn)
    if first is None and starts_at < end:
        first = 0
    if first is not None:
        turn = first
        while True:
            begins = handoff(zone=zone, starts_at=starts_at, rotation_days=days, turn=turn)
            ends = handoff(zone=zone, starts_at=starts_at, rotation_days=days, turn=turn + 1)
            if begins >= end:
                break
            turns.append((max(begins, start), min(ends, end), turn))
            bounds.update((max(begins, start), min(ends, end)))
            turn += 1
    newest_first = sorted(overrides, key=lambda o: (o.created_at, o.id), reverse=True)
    for override in newest_first:
        if override.starts_at < end and override.ends_at > start:
            bounds.update((max(override.starts_at, start), min(override.ends_at, end)))
    moments = sorted(bounds)
    segments: list[Segment] = []
    for begins, ends in zip(moments, moments[1:], strict=False):
        override = next(
            (o for o in newest_first if o.starts_at <= begins and o.ends_at >= ends), None
        )
        turn = next((t for b, e, t in turns if b <= begins and e >= ends), None)
        if override is not None:
            found = Segment(override.technician_id, begins, ends, turn, override.id)
        elif turn is not None:
            found = Segment(members[turn % len(members)], begins, ends, turn)
        else:
            continue
        last = segments[-1] if segments else None
        if (
            last is not None
            and last.ends_at == begins
            and (last.technician_id, last.turn, last.override_id)
            == (found.technician_id, found.turn, found.override_id)
        ):
            segments[-1] = Segment(
                last.technician_id, last.starts_at, ends, last.turn, last.override_id
            )
        else:
            segments.append(found)
    return segments


def rota_periods(hours_rows) -> tuple[WeeklyPeriod, ...]:
    """A rota's hours: its rows' periods, or every slot outside the default working hours."""
    periods = tuple(row.period for row in hours_rows)
    return periods or default_rota_hours()


def working_periods(hours_rows) -> tuple[WeeklyPeriod, ...]:
    """A technician's working hours: their rows' periods, or DEFAULT_WORKING_HOURS."""
    periods = tuple(row.period for row in hours_rows)
    return periods or default_working_hours()
