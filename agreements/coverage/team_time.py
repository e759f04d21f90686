"""The team's time over an evaluation (DESIGN "Coverage through the support window"): who of
a requirement's qualified technicians is at work, or on call, in each half hour an agreement
promises support, and where nobody is. The engine decides rules 1 to 3 with it; the week grid
(support_window.py) shows it.

Time is counted in UTC half hours ("slots"). One `SlotAxis` covers every client's local days
D … D+N−1 of an evaluation (N = the larger of 7 and the warning window), with a margin for the
zones on either side of UTC. Per time zone (zones are few) it keeps, once, each slot's local
week index (weekday × 48 + half hour) and local date; a weekly pattern in that zone then covers
the slots whose week index its 336-entry mask holds, with one numpy lookup.

`TeamTime` reads the team's time with a fixed number of queries (working hours, time off
overlapping the axis, rotas with their hours, members and the overrides overlapping the axis)
and builds, once per check, two bitmaps per technician over the axis:

- *scheduled*: their working hours (their rows, else DEFAULT_WORKING_HOURS, in their zone) or
  their on-call turns (inside a rota's hours, whose turn it is by skills.rotas.schedule,
  overrides included; a rota without members covers nothing);
- *present*: scheduled, minus the local days (the technician's) of their time off and those
  after their last working day.

numpy builds the bitmaps (whole rows at a time); each is then kept as a Python integer, one
bit a slot, so that the set of a requirement's qualified technicians is ORed, masked with the
support window and searched for its first gap in a few big-integer operations: thousands of
distinct requirements cost no numpy call each.
Certification expiry cuts a holder's presence after the last slot of their local expiry date.
Requirements asking for the same (skill, version, level, certification) share the OR
(`QualifiedTime`), and those that also share the client zone and support hours share the
finding (`Finding`): the rules 1 to 3 of DESIGN, their first gap (start, end, cause) and the
hours a week uncovered.

Choices where DESIGN leaves room:
- A rota's overrides apply wherever skills.rotas.schedule applies them, before the first
  hand-off included, but only in a rota that has members (DESIGN: "a rota without members
  covers nothing").
- The cause `on_call_unqualified` applies when someone (in a rota with members) is on call at
  the gap's slot; the one on call is then not among the qualified scheduled at that slot.
- A gap's end is the end of the run of consecutive slots of the same rule from its start, cut
  at the client's next local midnight; slots outside the support window end the run.
"""

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import numpy as np

from agreements.coverage.models import GapCause
from core.formatting import day_text, some_names
from skills.models import (
    OnCallMember,
    OnCallOverride,
    OnCallRota,
    OnCallRotaHours,
    TimeOff,
    WorkingHours,
)
from skills.rotas import schedule
from skills.weekly_patterns import (
    SLOTS_PER_DAY,
    WeeklyPeriod,
    clock,
    default_rota_hours,
    default_working_hours,
    half_hours,
    support_window,
)

UTC = datetime.UTC
SLOT = datetime.timedelta(minutes=30)
ONE_DAY = datetime.timedelta(days=1)
WEEK_SLOTS = 7 * SLOTS_PER_DAY
# Local days run from UTC−12 to UTC+14: the axis starts early and ends late enough for both.
MARGIN_BEFORE = datetime.timedelta(hours=15)
MARGIN_AFTER = datetime.timedelta(hours=13)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HALF = Decimal("0.5")


def as_int(bits: np.ndarray) -> int:
    """Boolean slots as a Python int, slot i at bit i: the set algebra of a requirement's
    qualified technicians is then a few big-integer operations, without numpy's per-call
    overhead (thousands of distinct requirements, a few hundred words each)."""
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")


def first_set(bits: int) -> int | None:
    """The index of the first slot set in `bits`, or None."""
    return (bits & -bits).bit_length() - 1 if bits else None


def run_length(bits: int, slot: int) -> int:
    """How many consecutive slots are set in `bits` from `slot` on."""
    rest = bits >> slot
    return ((rest + 1) & ~rest).bit_length() - 1


def hours_text(slots: int) -> str:
    """Half hours as hours: 256 → "128", 3 → "1.5"."""
    return f"{slots // 2}" if slots % 2 == 0 else f"{slots / 2:.1f}"


def days_text(first: datetime.date, last: datetime.date) -> str:
    """24–26 Dec 2026, 28 Feb – 2 Mar 2027, 30 Dec 2026 – 2 Jan 2027, 24 Dec 2026."""
    if first == last:
        return day_text(first)
    if first.year != last.year:
        return f"{day_text(first)} – {day_text(last)}"
    if first.month != last.month:
        return f"{day_text(first)[: -len(str(first.year)) - 1]} – {day_text(last)}"
    return f"{first.day}–{day_text(last)}"


class ZoneSlots:
    """Each slot of an axis in one time zone: its local week index and local date (ordinal)."""

    __slots__ = ("name", "week", "ordinal", "minute", "next_midnight", "_masks")

    def __init__(self, axis: "SlotAxis", name: str):
        self.name = name
        tz = zoneinfo.ZoneInfo(name)
        offsets = self._offsets(axis, tz)
        # Local minutes since 0001-01-01 00:00, whose weekday is a Monday.
        start = axis.base.replace(tzinfo=None) - datetime.datetime(1, 1, 1)
        local = (
            start // datetime.timedelta(minutes=1)
            + 30 * np.arange(axis.size, dtype=np.int64)
            + offsets
        )
        days, minute = np.divmod(local, 24 * 60)
        self.ordinal = (days + 1).astype(np.int32)
        self.minute = minute.astype(np.int16)
        self.week = ((days % 7) * SLOTS_PER_DAY + minute // 30).astype(np.int16)
        # Each slot's next local midnight: the first slot of the next local date.
        self.next_midnight = np.searchsorted(self.ordinal, self.ordinal + 1).tolist()
        self._masks = {}

    @staticmethod
    def _offsets(axis, tz) -> np.ndarray:
        """The zone's UTC offset (minutes) at each slot: asked of zoneinfo once a day, and
        slot by slot only in the days whose offset changes (a few a year)."""

        def offset(index):
            return axis.moment(index).astimezone(tz).utcoffset() // datetime.timedelta(minutes=1)

        daily = list(range(0, axis.size, SLOTS_PER_DAY)) + [axis.size - 1]
        offsets = np.zeros(axis.size, np.int64)
        known = [offset(index) for index in daily]
        for (first, first_offset), (last, last_offset) in zip(
            zip(daily, known, strict=True), zip(daily[1:], known[1:], strict=True), strict=False
        ):
            if first_offset == last_offset:
                offsets[first : last + 1] = first_offset
            else:
                offsets[first : last + 1] = [offset(index) for index in range(first, last + 1)]
        return offsets

    def covered(self, periods) -> np.ndarray:
        """Boolean per slot: the weekly pattern `periods`, read in this zone, covers it."""
        # Keyed by the periods, sorted (rows come in any order): most of a team shares a few
        # patterns, and hashing five periods costs less than listing a week's half hours.
        key = tuple(sorted(periods))
        found = self._masks.get(key)
        if found is None:
            mask = np.zeros(WEEK_SLOTS, bool)
            mask[list(half_hours(key))] = True
            found = self._masks[key] = mask[self.week]
        return found

    def first_slot_after(self, day: datetime.date) -> int:
        """The first slot whose local date comes after `day` (len when none)."""
        return int(np.searchsorted(self.ordinal, day.toordinal() + 1, side="left"))

    def first_slot_of(self, day: datetime.date) -> int:
        return int(np.searchsorted(self.ordinal, day.toordinal(), side="left"))

    def local_date(self, slot: int) -> datetime.date:
        return datetime.date.fromordinal(int(self.ordinal[slot]))


class SlotAxis:
    """The UTC half hours covering every zone's local days `day` … `day` + `days` − 1."""

    def __init__(self, *, day: datetime.date, days: int):
        self.day = day
        self.days = days
        self.base = datetime.datetime.combine(day, datetime.time(0), tzinfo=UTC) - MARGIN_BEFORE
        end = (
            datetime.datetime.combine(day + days * ONE_DAY, datetime.time(0), tzinfo=UTC)
            + MARGIN_AFTER
        )
        count = (end - self.base) // SLOT
        self.size = -(-count // 8) * 8
        self.end = self.base + self.size * SLOT
        self._zones = {}
        self._windows = {}

    def zone(self, name: str) -> ZoneSlots:
        found = self._zones.get(name)
        if found is None:
            found = self._zones[name] = ZoneSlots(self, name)
        return found

    def index_at(self, moment: datetime.datetime) -> int:
        """The first slot starting at or after `moment`, clamped to the axis."""
        index = -((self.base - moment) // SLOT)
        return min(max(index, 0), self.size)

    def moment(self, index: int) -> datetime.datetime:
        return self.base + index * SLOT

    def window(self, zone: str, support_hours: str, first: datetime.date, last: datetime.date):
        """Packed slots of the support window of `support_hours` on the local days (in `zone`)
        `first` … `last`."""
        key = (zone, support_hours, first, last)
        found = self._windows.get(key)
        if found is None:
            slots = self.zone(zone)
            bits = slots.covered(support_window(support_hours)).copy()
            bits[: slots.first_slot_of(first)] = False
            bits[slots.first_slot_after(last) :] = False
            found = self._windows[key] = as_int(bits)
        return found


@dataclass(frozen=True, slots=True)
class Gap:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    cause: str  # GapCause value
    slot: int
    end_slot: int


@dataclass(frozen=True, slots=True)
class Finding:
    """What the support window says about a requirement: `rule` 1 (nobody qualified), 2 (a gap
    now), 3 (a dated gap) or 0 (no gap); the first gap; `gap_day` the client's local date of its
    first slot (lapses_on for rule 3); the hours a week uncovered; the reason's sentence."""

    rule: int
    gap: Gap | None
    gap_day: datetime.date | None
    uncovered_hours: Decimal
    reason: str


NO_FINDING = Finding(0, None, None, Decimal("0"), "")


class TeamTime:
    """The team's time over an axis: scheduled and present bitmaps per technician, who is on
    call in each slot of each rota, and the time off and last days the reasons name."""

    def __init__(self, *, axis: SlotAxis, technicians, technician_ids_filter=None):
        """`technicians`: (id, name, available_until, time zone) of those who may qualify.
        `technician_ids_filter`: a queryset of technician ids that narrows the reads (a
        narrowed evaluation), or None for everyone."""
        self.axis = axis
        self.names = {row[0]: row[1] for row in technicians}
        self.zones = {row[0]: row[3] for row in technicians}
        self.last_days = {row[0]: row[2] for row in technicians}
        self.row_of = {row[0]: index for index, row in enumerate(technicians)}
        first = axis.base.date() - ONE_DAY
        last = axis.end.date() + ONE_DAY
        hours_rows = WorkingHours.objects.order_by()
        time_off_rows = TimeOff.objects.filter(first_day__lte=last, last_day__gte=first)
        if technician_ids_filter is not None:
            hours_rows = hours_rows.filter(technician__in=technician_ids_filter)
            time_off_rows = time_off_rows.filter(technician__in=technician_ids_filter)
        working = defaultdict(list)
        for technician_id, weekday, start, end in hours_rows.values_list(
            "technician_id", "weekday", "start", "end"
        ):
            working[technician_id].append(WeeklyPeriod.of(weekday, start, end))
        self.time_off = defaultdict(list)
        for technician_id, first_day, last_day in time_off_rows.order_by().values_list(
            "technician_id", "first_day", "last_day"
        ):
            self.time_off[technician_id].append((first_day, last_day))
        self._rotas_read(first)

        count, size = len(technicians), axis.size
        scheduled = np.zeros((count, size), bool)
        default_hours = default_working_hours()
        for technician_id, row in self.row_of.items():
            zone = axis.zone(self.zones[technician_id])
            scheduled[row] = zone.covered(working.get(technician_id) or default_hours)
        for on_turn in self.on_turn.values():
            for technician_id in np.unique(on_turn[on_turn >= 0]).tolist():
                row = self.row_of.get(technician_id)
                if row is not None:
                    scheduled[row] |= on_turn == technician_id
        present = scheduled.copy()
        for technician_id, spans in self.time_off.items():
            row = self.row_of.get(technician_id)
            if row is None:
                continue
            ordinal = axis.zone(self.zones[technician_id]).ordinal
            for first_day, last_day in spans:
                present[row] &= (ordinal < first_day.toordinal()) | (ordinal > last_day.toordinal())
        for technician_id, last_day in self.last_days.items():
            if last_day is not None:
                cut = self.cut(technician_id, last_day)
                present[self.row_of[technician_id], cut:] = False
        self._certified = {}
        self._nobody = {}
        self._week_gaps = {}
        self.scheduled_bits, self.present_bits = scheduled, present
        self.scheduled = [as_int(row) for row in scheduled]
        self.present = [as_int(row) for row in present]
        self.uniform = self._uniform()
        self._always = {}

    def _uniform(self) -> tuple[str, int] | None:
        """(zone, scheduled slots) when every technician shares one zone and one schedule and
        nobody has time off: the team of a firm that records no hours, time off or rotas."""
        zones = set(self.zones.values())
        if len(zones) != 1 or self.time_off or len(set(self.scheduled)) != 1:
            return None
        return zones.pop(), self.scheduled[0]

    def always_covered(self, zone: str, support_hours: str, day, warning_days: int) -> bool:
        """Whether, for a uniform team in `zone`, every qualified set that has someone lasting
        past the window covers the support window of D … D+max(7, W)−1: the scheduled slots
        hold the window, and the one lasting is present (and certified) through it. Then rules
        2 and 3 find nothing, and no technician need be looked at (results equal the general
        path's: tests/agreements/coverage/test_support_window.py)."""
        if self.uniform is None or self.uniform[0] != zone:
            return False
        key = (zone, support_hours, day, warning_days)
        found = self._always.get(key)
        if found is None:
            last = day + (max(7, warning_days) - 1) * ONE_DAY
            window = self.axis.window(zone, support_hours, day, last)
            found = self._always[key] = not window & ~self.uniform[1]
        return found

    def _rotas_read(self, first):
        """Per rota with members, the technician on call in each slot (−1 for nobody): whose
        turn it is, inside the rota's hours."""
        axis = self.axis
        rotas = {
            row[0]: SimpleNamespace(
                id=row[0], time_zone=row[1], starts_at=row[2], rotation_days=row[3]
            )
            for row in OnCallRota.objects.order_by().values_list(
                "id", "time_zone", "starts_at", "rotation_days"
            )
        }
        # Names of everyone on a rota, qualified or not: a reason may name who is on call.
        self.rota_names = {}
        members = defaultdict(list)
        for rota_id, technician_id, name in OnCallMember.objects.order_by(
            "rota_id", "position"
        ).values_list("rota_id", "technician_id", "technician__name"):
            members[rota_id].append(technician_id)
            self.rota_names[technician_id] = name
        hours = defaultdict(list)
        for rota_id, weekday, start, end in OnCallRotaHours.objects.order_by().values_list(
            "rota_id", "weekday", "start", "end"
        ):
            hours[rota_id].append(WeeklyPeriod.of(weekday, start, end))
        overrides = defaultdict(list)
        for row in OnCallOverride.objects.filter(
            starts_at__lt=axis.end, ends_at__gt=axis.base
        ).values_list(
            "id",
            "rota_id",
            "technician_id",
            "starts_at",
            "ends_at",
            "created_at",
            "technician__name",
        ):
            self.rota_names[row[2]] = row[6]
            overrides[row[1]].append(
                SimpleNamespace(
                    id=row[0],
                    technician_id=row[2],
                    starts_at=row[3],
                    ends_at=row[4],
                    created_at=row[5],
                )
            )
        self.on_turn = {}
        self.segments = {}
        default_hours = default_rota_hours()
        for rota_id, rota in rotas.items():
            if not members.get(rota_id):
                continue
            segments = schedule(
                rota=rota,
                members=members[rota_id],
                overrides=overrides.get(rota_id, ()),
                start=axis.base,
                end=axis.end,
            )
            on_turn = np.full(axis.size, -1, np.int64)
            for segment in segments:
                start, end = axis.index_at(segment.starts_at), axis.index_at(segment.ends_at)
                on_turn[start:end] = segment.technician_id
            in_hours = axis.zone(rota.time_zone).covered(hours.get(rota_id) or default_hours)
            on_turn[~in_hours] = -1
            self.on_turn[rota_id] = on_turn
            self.segments[rota_id] = segments
        self.anyone_on_call = np.zeros(axis.size, bool)
        for on_turn in self.on_turn.values():
            self.anyone_on_call |= on_turn >= 0

    def cut(self, technician_id, last_day: datetime.date) -> int:
        """The first slot after `last_day` in the technician's zone."""
        return self.axis.zone(self.zones[technician_id]).first_slot_after(last_day)

    def local_date(self, technician_id, slot: int) -> datetime.date:
        return self.axis.zone(self.zones[technician_id]).local_date(slot)

    def on_time_off(self, technician_id, day: datetime.date):
        """The span (first, last) of time off around `day`, or None: overlapping and adjacent
        spans run together."""
        spans = sorted(self.time_off.get(technician_id, ()))
        found = None
        for first, last in spans:
            if found is None:
                if first <= day <= last:
                    found = [first, last]
            elif first <= found[1] + ONE_DAY:
                found[1] = max(found[1], last)
        if found is None:
            return None
        for first, last in reversed(spans):
            if last >= found[0] - ONE_DAY and first < found[0]:
                found[0] = first
        return tuple(found)

    def on_call_at(self, slot: int) -> list[int]:
        return [int(on_turn[slot]) for on_turn in self.on_turn.values() if on_turn[slot] >= 0]

    def qualified_time(self, ids, expiries) -> "QualifiedTime":
        """The OR of the qualified technicians `ids`; `expiries`: {technician id: the
        certification's expires_on} when the requirement asks for one (None otherwise)."""
        row_of, scheduled_of, present_of = self.row_of, self.scheduled, self.present
        scheduled = present = 0
        cuts = {}
        for t in ids:
            row = row_of[t]
            scheduled |= scheduled_of[row]
            expires_on = expiries.get(t) if expiries else None
            if expires_on is None or expires_on == datetime.date.max:
                present |= present_of[row]
                continue
            cut = self.cut(t, expires_on)
            if cut < self.axis.size:
                cuts[t] = cut
                present |= present_of[row] & ((1 << cut) - 1)
            else:
                present |= present_of[row]
        return QualifiedTime(ids=tuple(ids), scheduled=scheduled, present=present, cuts=cuts)

    def nobody_finding(self, zone: str, support_hours: str, window_week: int) -> Finding:
        """Rule 1, the same for every requirement of a zone and support hours: the first gap
        is the first slot of the window."""
        key = (zone, support_hours)
        found = self._nobody.get(key)
        if found is None:
            slots = self.axis.zone(zone)
            gap = _gap(self, slots, window_week, GapCause.NOBODY_QUALIFIED.value)
            found = self._nobody[key] = Finding(
                1,
                gap,
                None if gap is None else slots.local_date(gap.slot),
                HALF * window_week.bit_count(),
                "",
            )
        return found

    def week_gap(self, zone: str, support_hours: str, window_week: int, unscheduled: int):
        """Rule 2's finding for the slots `unscheduled` of the week's window, its reason
        without its subject ("is at work or on call …"): the same for every qualified set that
        leaves the same slots unscheduled, as the sets of a team working the same hours do."""
        key = (zone, support_hours, unscheduled)
        found = self._week_gaps.get(key)
        if found is None:
            slots = self.axis.zone(zone)
            slot = first_set(unscheduled)
            gap = _gap(self, slots, unscheduled, cause_of(self, (), slot))
            missing = unscheduled.bit_count()
            gap_day = slots.local_date(slot)
            found = self._week_gaps[key] = Finding(
                2,
                gap,
                gap_day,
                HALF * missing,
                f"is at work or on call {WEEKDAY_NAMES[gap_day.weekday()]} "
                f"{clock_range(slots, gap)} (client's time), which "
                f"{support_hours.replace('x', '×')} support covers; {hours_text(missing)} of "
                f"the week's {hours_text(window_week.bit_count())} hours are uncovered.",
            )
        return found

    def unscheduled(self, ids, window: int) -> int:
        """The slots of `window` where none of `ids` is scheduled; stops at 0."""
        row_of, scheduled = self.row_of, self.scheduled
        for t in ids:
            window &= ~scheduled[row_of[t]]
            if not window:
                return 0
        return window

    def absent(self, ids, expiries, window: int) -> int:
        """The slots of `window` where none of `ids` is present and certified; stops at 0."""
        row_of, present = self.row_of, self.present
        for t in ids:
            bits = present[row_of[t]]
            expires_on = expiries.get(t) if expiries else None
            if expires_on is not None and expires_on != datetime.date.max:
                bits &= self.certified_bits(t, expires_on)
            window &= ~bits
            if not window:
                return 0
        return window

    def certified_bits(self, technician_id, expires_on: datetime.date) -> int:
        """The slots up to the end of `expires_on` in the technician's zone."""
        key = (self.zones[technician_id], expires_on)
        found = self._certified.get(key)
        if found is None:
            found = self._certified[key] = (1 << self.cut(technician_id, expires_on)) - 1
        return found

    def present_count(self, qualified: "QualifiedTime") -> np.ndarray:
        """How many of the qualified are present (rule 3) in each slot."""
        counts = np.zeros(self.axis.size, np.int32)
        for t in qualified.ids:
            bits = self.present_bits[self.row_of[t]]
            cut = qualified.cuts.get(t)
            if cut is None:
                counts += bits
            else:
                counts[:cut] += bits[:cut]
        return counts


@dataclass(frozen=True, slots=True)
class QualifiedTime:
    ids: tuple
    scheduled: int  # slot bits: some qualified technician is scheduled
    present: int  # slot bits: some qualified technician is present and certified
    cuts: dict  # technician id -> first slot after their certification's expiry


class Wording:
    """What the reasons call a requirement: "Exchange Server 2016", "CCNA"; and what a
    technician who is on call lacks: "have Exchange Server 2016 at level 3"."""

    def __init__(self, *, subject: str, lacking: str):
        self.subject = subject
        self.lacking = lacking


def finding(
    *,
    team: TeamTime,
    ids,
    expiries,
    qualified: Callable[[], QualifiedTime],
    zone: str,
    support_hours: str,
    day: datetime.date,
    warning_days: int,
    wording: Callable[[], Wording],
    certification_name: str = "",
) -> Finding:
    """Rules 1 to 3 of DESIGN for one requirement's qualified technicians `ids` (`expiries`
    as for TeamTime.qualified_time), client zone and support hours, with its first gap.
    Whether the window is covered is decided technician by technician, stopping as soon as it
    is (most often at the first); `qualified` (their whole OR) and `wording` are asked for only
    when there is a gap to describe."""
    axis = team.axis
    slots = axis.zone(zone)
    week_end = day + 6 * ONE_DAY
    window_week = axis.window(zone, support_hours, day, week_end)
    if not ids:
        return team.nobody_finding(zone, support_hours, window_week)
    if team.uniform is not None:
        # Everyone is scheduled alike: the qualified together are scheduled as any one of them.
        unscheduled = window_week & ~team.uniform[1]
    else:
        unscheduled = team.unscheduled(ids, window_week)
    if unscheduled:
        week = team.week_gap(zone, support_hours, window_week, unscheduled)
        return Finding(
            2,
            week.gap,
            week.gap_day,
            week.uncovered_hours,
            f"No one qualified for {wording().subject} {week.reason}",
        )
    if warning_days <= 0:
        return NO_FINDING
    last_day = day + (warning_days - 1) * ONE_DAY
    window = axis.window(zone, support_hours, day, last_day)
    absent = team.absent(ids, expiries, window)
    if not absent:
        return NO_FINDING
    qualified, wording = qualified(), wording()
    slot = first_set(absent)
    cause = cause_of(team, qualified.ids, slot)
    gap = _gap(team, slots, absent, cause)
    gap_day = slots.local_date(slot)
    week = axis.window(zone, support_hours, gap_day, min(gap_day + 6 * ONE_DAY, last_day))
    reason = _dated_reason(
        team, qualified, gap, gap_day, slots, wording, certification_name=certification_name
    )
    return Finding(3, gap, gap_day, HALF * (absent & week).bit_count(), reason)


def _gap(team, slots: ZoneSlots, bits: int, cause) -> Gap | None:
    """The run of set slots from the first, cut at the client's next local midnight."""
    slot = first_set(bits)
    if slot is None:
        return None
    end = min(slot + run_length(bits, slot), slots.next_midnight[slot])
    axis = team.axis
    return Gap(axis.moment(slot), axis.moment(end), cause, slot, end)


def cause_of(team: TeamTime, ids, slot: int) -> str:
    """The GapCause of a gap slot; `ids`: the qualified (none for rule 2, where none of them
    is scheduled)."""
    row_of, scheduled = team.row_of, team.scheduled_bits
    at_work = [t for t in ids if scheduled[row_of[t], slot]]
    if not at_work:
        if team.anyone_on_call[slot]:
            return GapCause.ON_CALL_UNQUALIFIED.value
        return GapCause.OUTSIDE_HOURS.value
    if any(team.on_time_off(t, team.local_date(t, slot)) for t in at_work):
        return GapCause.TIME_OFF.value
    if any(
        team.last_days[t] is not None and team.local_date(t, slot) > team.last_days[t]
        for t in at_work
    ):
        return GapCause.LAST_DAY.value
    return GapCause.CERTIFICATION_EXPIRY.value


def clock_range(slots: ZoneSlots, gap: Gap) -> str:
    """ "00:00–09:00" in the client's time; a gap to midnight ends at 24:00."""
    start, end = gap.slot, gap.end_slot
    if end >= len(slots.ordinal) or slots.ordinal[end] > slots.ordinal[start]:
        return f"{clock(int(slots.minute[start]))}–24:00"
    return f"{clock(int(slots.minute[start]))}–{clock(int(slots.minute[end]))}"


def _dated_reason(team, qualified, gap, gap_day, slots, wording, *, certification_name):
    when = f"{day_text(gap_day)} {clock_range(slots, gap)}"
    subject = wording.subject
    row_of, scheduled = team.row_of, team.scheduled_bits
    at_work = [t for t in qualified.ids if scheduled[row_of[t], gap.slot]]
    names = team.names
    if gap.cause == GapCause.TIME_OFF:
        away = []
        for t in at_work:
            span = team.on_time_off(t, team.local_date(t, gap.slot))
            if span:
                away.append((names[t], span))
        spans = {span for _, span in away}
        verb = "is" if len(away) == 1 else "are"
        if len(spans) == 1:
            (span,) = spans
            people = some_names(sorted(name for name, _ in away))
            return (
                f"No one qualified for {subject} is at work {when}: {people} {verb} on time off "
                f"{days_text(*span)}."
            )
        people = some_names(sorted(f"{name} ({days_text(*span)})" for name, span in away))
        return f"No one qualified for {subject} is at work {when}: {people} {verb} on time off."
    if gap.cause == GapCause.LAST_DAY:
        causes = sorted(
            f"{names[t]}'s last day is {day_text(team.last_days[t])}"
            for t in at_work
            if team.last_days[t] is not None and team.local_date(t, gap.slot) > team.last_days[t]
        )
        return f"No one qualified for {subject} is at work {when}: {some_names(causes)}."
    if gap.cause == GapCause.CERTIFICATION_EXPIRY:
        causes = sorted(
            f"{names[t]}'s {certification_name} expires on "
            f"{day_text(team.local_date(t, qualified.cuts[t] - 1))}"
            for t in at_work
            if t in qualified.cuts and qualified.cuts[t] <= gap.slot
        )
        return f"No one qualified for {subject} is at work {when}: {some_names(causes)}."
    if gap.cause == GapCause.ON_CALL_UNQUALIFIED:
        on_call = sorted({team.rota_names[t] for t in team.on_call_at(gap.slot)})
        verb = "does" if len(on_call) == 1 else "do"
        return (
            f"No one qualified for {subject} is on call {when}: {some_names(on_call)}, on call "
            f"then, {verb} not {wording.lacking}."
        )
    return f"No one qualified for {subject} is at work or on call {when}."


__all__ = [
    "NO_FINDING",
    "Finding",
    "Gap",
    "QualifiedTime",
    "SlotAxis",
    "TeamTime",
    "Wording",
    "ZoneSlots",
    "finding",
]
