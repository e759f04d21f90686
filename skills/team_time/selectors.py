"""Reads of the team's time for the pages; each runs a fixed number of queries, however large
the team, the rota or the calendar."""

import calendar
import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.db import count_per_row
from core.formatting import MONTHS
from core.permissions import perm_name, visible_to
from skills.models import OnCallMember, OnCallOverride, OnCallRota, Technician, TimeOff
from skills.rotas import handoff, rota_periods, schedule, turn_at, working_periods
from skills.weekly_patterns import DAY_NAMES, clock, pattern_text

ROTA_WEEKS = 8  # how far ahead the rota page looks
TIME_OFF_SHOWN = 20  # a technician's current and coming time off on their page


# ------------------------------------------------------------------------------ weeks


@dataclass(frozen=True)
class WeekDay:
    name: str
    hours: str  # "09:00–12:00, 13:00–17:30", or "" when off


@dataclass(frozen=True)
class Week:
    """A weekly pattern as the pages show it: each day's hours, and whether it is the default
    (no rows of its own)."""

    days: list[WeekDay]
    is_default: bool
    text: str


def week_of(periods, *, is_default: bool) -> Week:
    by_day = {weekday: [] for weekday in range(7)}
    for period in sorted(periods):
        by_day[period.weekday].append(f"{clock(period.start)}–{clock(period.end)}")
    days = [WeekDay(DAY_NAMES[weekday], ", ".join(by_day[weekday])) for weekday in range(7)]
    return Week(days=days, is_default=is_default, text=pattern_text(periods))


def technician_week(*, technician: Technician) -> Week:
    """The technician's working week: their rows, else the firm's default hours. One query."""
    rows = list(technician.working_hours.all())
    return week_of(working_periods(rows), is_default=not rows)


def rota_week(*, rota: OnCallRota) -> Week:
    """The rota's on-call hours: its rows, else every hour outside the default working hours.
    One query."""
    rows = list(rota.hours.all())
    return week_of(rota_periods(rows), is_default=not rows)


# ------------------------------------------------------------------------------ time off


def keeps_everyones_time_off(user) -> bool:
    """Consultants (who change technicians) keep everyone's time off; a technician with the
    time off permissions (group Technician) only their own."""
    return user.has_perm(perm_name(Technician, "change"))


def time_off_writable(*, user, technician: Technician) -> bool:
    return keeps_everyones_time_off(user) or (
        technician.user_id is not None and technician.user_id == user.pk
    )


def time_off_get(*, user, pk: int) -> TimeOff:
    return get_object_or_404(visible_to(user, TimeOff).select_related("technician"), pk=pk)


def technician_time_off(*, technician: Technician, day: datetime.date) -> list[TimeOff]:
    """The technician's time off not yet over on `day`, soonest first, at most
    TIME_OFF_SHOWN."""
    coming = technician.time_off.filter(last_day__gte=day).order_by("first_day")
    return list(coming[:TIME_OFF_SHOWN])


@dataclass(frozen=True)
class CalendarDay:
    day: datetime.date
    in_month: bool
    away: int  # technicians off that day
    is_today: bool


@dataclass
class TeamCalendar:
    month: datetime.date  # its first day
    title: str  # "June 2026"
    weeks: list[list[CalendarDay]]
    spans: QuerySet  # the month's time off, to paginate
    previous_month: datetime.date
    next_month: datetime.date
    most_away: int = field(default=0)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def team_calendar(
    *, user, month: datetime.date, today: datetime.date, technician: Technician | None = None
) -> TeamCalendar:
    """Who is off in `month`: the weeks (Monday to Sunday) around it, each day with the number
    of technicians off (one query, whatever the team's size), and the time-off spans that touch
    the month as a queryset for the page to paginate. `technician` narrows both to one person."""
    first = month_start(month)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    grid_start = first - datetime.timedelta(days=first.weekday())
    grid_end = last + datetime.timedelta(days=6 - last.weekday())
    days = [
        grid_start + datetime.timedelta(days=offset)
        for offset in range((grid_end - grid_start).days + 1)
    ]
    time_off = visible_to(user, TimeOff)
    if technician is not None:
        time_off = time_off.filter(technician=technician)
    in_grid = time_off.filter(first_day__lte=grid_end, last_day__gte=grid_start)
    counts = in_grid.aggregate(
        **{
            f"d{index}": Count(
                "technician", distinct=True, filter=Q(first_day__lte=day, last_day__gte=day)
            )
            for index, day in enumerate(days)
        }
    )
    cells = [
        CalendarDay(
            day=day,
            in_month=day.month == first.month,
            away=counts[f"d{index}"],
            is_today=day == today,
        )
        for index, day in enumerate(days)
    ]
    spans = (
        time_off.filter(first_day__lte=last, last_day__gte=first)
        .select_related("technician")
        .order_by("first_day", "technician__name", "pk")
    )
    previous_month = month_start(first - datetime.timedelta(days=1))
    return TeamCalendar(
        month=first,
        title=f"{calendar.month_name[first.month]} {first.year}",
        weeks=[cells[index : index + 7] for index in range(0, len(cells), 7)],
        spans=spans,
        previous_month=previous_month,
        next_month=last + datetime.timedelta(days=1),
        most_away=max((cell.away for cell in cells), default=0),
    )


# ------------------------------------------------------------------------------ rotas


def rota_list(*, user) -> QuerySet[OnCallRota]:
    """Rotas by name with `member_count`."""
    return (
        visible_to(user, OnCallRota)
        .annotate(
            member_count=count_per_row(OnCallMember.objects.filter(rota=OuterRef("pk")), per="rota")
        )
        .order_by("name")
    )


def rota_get(*, user, pk: int) -> OnCallRota:
    return get_object_or_404(visible_to(user, OnCallRota), pk=pk)


def rota_members(*, rota: OnCallRota) -> list[OnCallMember]:
    """The members in turn order, with their technicians. One query."""
    return list(rota.members.select_related("technician").order_by("position"))


def moment_text(moment: datetime.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """ "Mon 12 Jan 2027 09:00" in `zone`."""
    local = moment.astimezone(zone)
    return (
        f"{DAY_NAMES[local.weekday()]} {local.day} {MONTHS[local.month - 1]} {local.year} "
        f"{local:%H:%M}"
    )


@dataclass(frozen=True)
class Cover:
    """Part of a turn someone else holds through an override."""

    technician_id: int
    technician_name: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    text: str  # "Tue 13 Jan 2027 18:00 – Wed 14 Jan 2027 09:00"
    note: str


@dataclass(frozen=True)
class RotaTurn:
    turn: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    text: str  # its bounds in the rota's zone
    technician_id: int  # who holds it at its start: the member, or who swapped in
    technician_name: str
    scheduled_name: str  # the member whose turn it is
    override_note: str
    is_overridden: bool  # an override gives the whole turn to someone else
    covers: list[Cover]  # overrides over part of it
    is_current: bool

    @property
    def label(self) -> str:
        return f"{self.text}: {self.technician_name}"


def rota_turns(
    *, rota: OnCallRota, members: list[OnCallMember], now: datetime.datetime, weeks=ROTA_WEEKS
) -> list[RotaTurn]:
    """The turns under way from `now` and in the `weeks` after it, with who holds each (and the
    parts others cover through overrides), by skills.rotas.schedule. One query (the overrides),
    `members` given."""
    if not members:
        return []
    zone = zoneinfo.ZoneInfo(rota.time_zone)
    horizon = now + datetime.timedelta(weeks=weeks)
    bounds = {
        "zone": rota.time_zone,
        "starts_at": rota.starts_at,
        "rotation_days": rota.rotation_days,
    }
    current = turn_at(moment=now, **bounds)
    first_turn = 0 if current is None else current
    start = handoff(turn=first_turn, **bounds)
    if start >= horizon:
        return []
    overrides = list(
        OnCallOverride.objects.filter(rota=rota, starts_at__lt=horizon, ends_at__gt=start)
        .select_related("technician")
        .order_by("created_at", "pk")
    )
    names = {member.technician_id: member.technician.name for member in members}
    names.update((override.technician_id, override.technician.name) for override in overrides)
    notes = {override.pk: override.note for override in overrides}
    segments = schedule(
        rota=rota,
        members=[member.technician_id for member in members],
        overrides=overrides,
        start=start,
        end=horizon,
    )
    by_turn: dict[int, list] = {}
    for segment in segments:
        if segment.turn is not None:
            by_turn.setdefault(segment.turn, []).append(segment)
    turns = []
    for turn, turn_segments in sorted(by_turn.items()):
        begins, ends = handoff(turn=turn, **bounds), handoff(turn=turn + 1, **bounds)
        scheduled_id = members[turn % len(members)].technician_id
        whole = next(
            (
                segment
                for segment in turn_segments
                if segment.starts_at == begins and segment.ends_at == min(ends, horizon)
            ),
            None,
        )
        holder_id = scheduled_id if whole is None else whole.technician_id
        covers = [
            Cover(
                technician_id=segment.technician_id,
                technician_name=names[segment.technician_id],
                starts_at=segment.starts_at,
                ends_at=segment.ends_at,
                text=f"{moment_text(segment.starts_at, zone)} – "
                f"{moment_text(segment.ends_at, zone)}",
                note=notes.get(segment.override_id, ""),
            )
            for segment in turn_segments
            if segment.is_override and segment is not whole
        ]
        turns.append(
            RotaTurn(
                turn=turn,
                starts_at=begins,
                ends_at=ends,
                text=f"{moment_text(begins, zone)} – {moment_text(ends, zone)}",
                technician_id=holder_id,
                technician_name=names[holder_id],
                scheduled_name=names[scheduled_id],
                override_note=notes.get(whole.override_id, "") if whole else "",
                is_overridden=whole is not None and whole.technician_id != scheduled_id,
                covers=covers,
                is_current=begins <= now < ends,
            )
        )
    return turns
