"""A plain-Python reading of DESIGN "Coverage through the support window", slot by slot.

It walks every UTC half hour around the client's local days D … D+max(6, W−1) one by one and,
for each, asks the drawn data directly: whose working hours hold it, whose turn of which rota it
is, who is away. It shares no code with the engine: zoneinfo and datetime only, its own reader of
the settings' weekly patterns, its own turns of rotas. Qualification on a day (the head count's
rules) is read as in tests/agreements/coverage/test_engine_property.py.

The data is the portfolio of that test with time added:
- "day", "window": D and W;
- technician: "time_zone", "hours" (None = DEFAULT_WORKING_HOURS, else [(weekday, start minute,
  end minute ≤ 1440)]), "time_off" [(first_day, last_day)];
- agreement: "support_hours" ("8x5", "12x5", "24x7"), "time_zone" (the client's);
- "rotas": [{"time_zone", "starts_at" (aware), "rotation_days", "hours" (None = outside
  DEFAULT_WORKING_HOURS, else periods), "members" [technician index by position],
  "overrides" [(technician index, starts_at, ends_at)], oldest first}].
"""

import datetime
import functools
import zoneinfo
from decimal import Decimal

from django.conf import settings

UTC = datetime.UTC
HALF_HOUR = datetime.timedelta(minutes=30)
ONE_DAY = datetime.timedelta(days=1)
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

NOBODY_QUALIFIED = "nobody_qualified"
OUTSIDE_HOURS = "outside_hours"
ON_CALL_UNQUALIFIED = "on_call_unqualified"
TIME_OFF = "time_off"
LAST_DAY = "last_day"
CERTIFICATION_EXPIRY = "certification_expiry"


# ---------------------------------------------------------------------------- weekly patterns


@functools.cache
def read_pattern(text):
    """((weekday, start minute, end minute), …) of "Mon-Fri 09:00-17:00, Sat 10:00-24:00"."""
    periods = []
    for part in text.split(","):
        days, hours = part.split()
        first, _, last = days.partition("-")
        start, end = hours.split("-")
        for weekday in range(WEEKDAY_NAMES.index(first), WEEKDAY_NAMES.index(last or first) + 1):
            periods.append((weekday, minutes(start), minutes(end)))
    return tuple(periods)


def minutes(clock):
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def local(moment, zone):
    return moment.astimezone(zoneinfo.ZoneInfo(zone))


def in_pattern(periods, moment, zone):
    """The pattern covers the half hour starting at `moment`: its local start's weekday and
    minute of the day lie in a period (start ≤ minute < end)."""
    wall = local(moment, zone)
    minute = wall.hour * 60 + wall.minute
    return any(
        weekday == wall.weekday() and start <= minute < end for weekday, start, end in periods
    )


def works(technician, moment):
    periods = technician["hours"]
    if periods is None:
        periods = read_pattern(settings.DEFAULT_WORKING_HOURS)
    return in_pattern(periods, moment, technician["time_zone"])


def in_rota_hours(rota, moment):
    if rota["hours"] is None:  # every slot outside the default working hours
        return not in_pattern(
            read_pattern(settings.DEFAULT_WORKING_HOURS), moment, rota["time_zone"]
        )
    return in_pattern(rota["hours"], moment, rota["time_zone"])


def in_support_window(agreement, moment):
    periods = read_pattern(settings.SUPPORT_WINDOWS[agreement["support_hours"]])
    return in_pattern(periods, moment, agreement["time_zone"])


# ------------------------------------------------------------------------------------- on call


def handoff(rota, turn):
    return _handoff(rota["time_zone"], rota["starts_at"], rota["rotation_days"], turn)


@functools.cache
def _handoff(zone, starts_at, rotation_days, turn):
    """When turn `turn` begins: turn 0 at starts_at; turn k at starts_at's local wall time, k ×
    rotation_days calendar days later, in the rota's zone (a wall time that does not exist, or
    exists twice, read as Python reads it by default: fold 0)."""
    if turn == 0:
        return starts_at
    start = local(starts_at, zone)
    wall = datetime.datetime.combine(
        start.date() + datetime.timedelta(days=turn * rotation_days),
        datetime.time(start.hour, start.minute),
        tzinfo=zoneinfo.ZoneInfo(zone),
    )
    return wall.astimezone(UTC)


def turn_at(rota, moment):
    """The number of the turn under way at `moment`, None before the first hand-off."""
    if moment < rota["starts_at"]:
        return None
    # A guess from the elapsed days, then step: hand-offs only move forward.
    turn = max((moment - rota["starts_at"]).days // rota["rotation_days"] - 1, 0)
    while turn > 0 and handoff(rota, turn) > moment:
        turn -= 1
    while handoff(rota, turn + 1) <= moment:
        turn += 1
    return turn


def on_call(rota, moment):
    """The technician index on call for the rota at `moment`, or None: only inside its hours and
    only for a rota with members; the newest override holding the moment, else the member whose
    turn it is."""
    if not rota["members"] or not in_rota_hours(rota, moment):
        return None
    for technician, starts_at, ends_at in reversed(rota["overrides"]):
        if starts_at <= moment < ends_at:
            return technician
    turn = turn_at(rota, moment)
    if turn is None:
        return None
    return rota["members"][turn % len(rota["members"])]


# --------------------------------------------------------------------------------- the walk


class Walk:
    """Everyone's half hours around the client days of one evaluation, computed once."""

    def __init__(self, portfolio):
        self.portfolio = portfolio
        day, window = portfolio["day"], portfolio["window"]
        self.last_day = day + datetime.timedelta(days=max(6, window - 1))
        # UTC half hours wide enough for every zone's local days D … last_day.
        first = datetime.datetime.combine(day - 2 * ONE_DAY, datetime.time(), tzinfo=UTC)
        end = datetime.datetime.combine(self.last_day + 3 * ONE_DAY, datetime.time(), tzinfo=UTC)
        self.slots = []
        moment = first
        while moment < end:
            self.slots.append(moment)
            moment += HALF_HOUR
        technicians = portfolio["technicians"]
        self.on_call = [
            {on_call(rota, moment) for rota in portfolio["rotas"]} - {None} for moment in self.slots
        ]
        self.local_day = [
            [local(moment, t["time_zone"]).date() for moment in self.slots] for t in technicians
        ]
        self.scheduled = [
            [
                works(t, moment) or index in self.on_call[slot]
                for slot, moment in enumerate(self.slots)
            ]
            for index, t in enumerate(technicians)
        ]

    def away(self, index, slot):
        x = self.local_day[index][slot]
        return any(
            first <= x <= last for first, last in self.portfolio["technicians"][index]["time_off"]
        )

    def gone(self, index, slot):
        until = self.portfolio["technicians"][index]["available_until"]
        return until is not None and self.local_day[index][slot] > until

    def present(self, index, slot):
        return (
            self.scheduled[index][slot]
            and not self.away(index, slot)
            and not self.gone(index, slot)
        )

    def certified(self, index, requirement, slot):
        certification = requirement["certification"]
        if certification is None:
            return True
        expires_on = self.portfolio["technicians"][index]["certifications"][certification]
        return expires_on is None or self.local_day[index][slot] <= expires_on


def qualifies(portfolio, index, requirement, day):
    """DESIGN "Coverage rules": available on the day (active, not past the last working day, not
    excluded) and holding the skill at the level and version range, and the certification
    unexpired, that the requirement asks for."""
    technician = portfolio["technicians"][index]
    if (
        index in portfolio["excluded"]
        or technician["status"] != "active"
        or (technician["available_until"] is not None and technician["available_until"] < day)
    ):
        return False
    if requirement["skill"] is not None:
        known = technician["skills"].get(requirement["skill"])
        if known is None or known["level"] < requirement["min_level"]:
            return False
        version = requirement["version"]
        if version is not None and (
            (known["oldest"] is not None and known["oldest"] > version)
            or (known["newest"] is not None and version > known["newest"])
        ):
            return False
    if requirement["certification"] is not None:
        if requirement["certification"] not in technician["certifications"]:
            return False
        expires_on = technician["certifications"][requirement["certification"]]
        if expires_on is not None and expires_on < day:
            return False
    return True


def qualified_on(portfolio, requirement, day):
    return {
        index
        for index in range(len(portfolio["technicians"]))
        if qualifies(portfolio, index, requirement, day)
    }


def head_count(portfolio, requirement, qualified):
    """(covered, lapses_on) of the head count: covered when |L| ≥ min; lapses_on, when |Q| ≥ min
    and |L| < min, the first date of D+1 … D+W with fewer than min qualified."""
    day, window = portfolio["day"], portfolio["window"]
    needed = requirement["min_technicians"]
    lasting = qualified_on(portfolio, requirement, day + datetime.timedelta(days=window))
    if len(lasting) >= needed:
        return True, None
    if len(qualified) < needed:
        return False, None
    for offset in range(1, window + 1):
        date = day + datetime.timedelta(days=offset)
        if len(qualified_on(portfolio, requirement, date)) < needed:
            return False, date
    return False, None  # unreachable: the count on D + W is below min


def reference_requirement(portfolio, walk, index):
    """status, risk_kind, lapses_on, gap_starts_at, gap_ends_at, gap_cause, uncovered_hours of
    requirement `index`, read slot by slot."""
    requirement = portfolio["requirements"][index]
    agreement = portfolio["agreements"][requirement["agreement"]]
    zone = agreement["time_zone"]
    day, window = portfolio["day"], portfolio["window"]
    client_day = [local(moment, zone).date() for moment in walk.slots]
    in_window = [in_support_window(agreement, moment) for moment in walk.slots]
    qualified = qualified_on(portfolio, requirement, day)

    def window_slots(first, last):
        return [
            slot
            for slot in range(len(walk.slots))
            if in_window[slot] and first <= client_day[slot] <= last
        ]

    def nobody_scheduled(slot):
        return not any(walk.scheduled[t][slot] for t in qualified)

    def nobody_present(slot):
        return not any(
            walk.present(t, slot) and walk.certified(t, requirement, slot) for t in qualified
        )

    def gap(first_slot, is_gap):
        """Start and end of the run of gap slots from `first_slot`, cut at the client's next
        local midnight."""
        slot = first_slot
        while (
            slot + 1 < len(walk.slots)
            and client_day[slot + 1] == client_day[first_slot]
            and in_window[slot + 1]
            and is_gap(slot + 1)
        ):
            slot += 1
        return walk.slots[first_slot], walk.slots[slot] + HALF_HOUR

    def cause(slot):
        return _cause_of_dated_gap(walk, qualified, slot)

    week = window_slots(day, day + datetime.timedelta(days=6))
    outcome = {
        "status": "covered",
        "risk_kind": "",
        "lapses_on": None,
        "gap_starts_at": None,
        "gap_ends_at": None,
        "gap_cause": "",
        "uncovered_hours": Decimal("0"),
    }
    if not qualified:  # rule 1
        starts_at, ends_at = gap(week[0], lambda slot: True)
        return outcome | {
            "status": "uncovered",
            "gap_starts_at": starts_at,
            "gap_ends_at": ends_at,
            "gap_cause": NOBODY_QUALIFIED,
            "uncovered_hours": hours(len(week)),
        }
    unstaffed = [slot for slot in week if nobody_scheduled(slot)]
    if unstaffed:  # rule 2
        starts_at, ends_at = gap(unstaffed[0], nobody_scheduled)
        return outcome | {
            "status": "uncovered",
            "gap_starts_at": starts_at,
            "gap_ends_at": ends_at,
            "gap_cause": cause(unstaffed[0]),
            "uncovered_hours": hours(len(unstaffed)),
        }
    covered, lapses_on = head_count(portfolio, requirement, qualified)
    risk_kind = "thin" if len(qualified) < requirement["min_technicians"] else "lapsing"
    dated = (
        [
            slot
            for slot in window_slots(day, day + datetime.timedelta(days=window - 1))
            if nobody_present(slot)
        ]
        if window
        else []
    )
    if dated:  # rule 3
        first = dated[0]
        gap_day = client_day[first]
        last = min(gap_day + datetime.timedelta(days=6), day + datetime.timedelta(days=window - 1))
        starts_at, ends_at = gap(first, nobody_present)
        return outcome | {
            "status": "at_risk",
            "risk_kind": risk_kind,
            "lapses_on": gap_day if lapses_on is None else min(gap_day, lapses_on),
            "gap_starts_at": starts_at,
            "gap_ends_at": ends_at,
            "gap_cause": cause(first),
            "uncovered_hours": hours(
                sum(1 for slot in dated if gap_day <= client_day[slot] <= last)
            ),
        }
    if covered:
        return outcome
    return outcome | {"status": "at_risk", "risk_kind": risk_kind, "lapses_on": lapses_on}


def hours(slot_count):
    return (Decimal(slot_count) / 2).quantize(Decimal("0.1"))


def reference_outcomes(portfolio, requirement_indexes=None):
    """{requirement index: outcome} for the requirements given (default: all)."""
    walk = Walk(portfolio)
    indexes = (
        range(len(portfolio["requirements"]))
        if requirement_indexes is None
        else (requirement_indexes)
    )
    return {index: reference_requirement(portfolio, walk, index) for index in indexes}


# ------------------------------------------------------------------------------- the week grid


def reference_week_grid(portfolio, agreement_index):
    """The week D … D+6 of an agreement in its client's time: 7 rows of 48 cells (count,
    in_window, gap). A cell's count is, over the agreement's requirements, the fewest qualified
    technicians present (rule 3's presence) in the UTC half hours whose local start falls in it:
    None when there is none (a local time skipped that day), the smaller of two when the local
    half hour happens twice. Also the gaps: runs of window half hours with nobody present, cut at
    the client's midnight, as (local day, starts_at, ends_at, cause of the first half hour)."""
    walk = Walk(portfolio)
    day = portfolio["day"]
    agreement = portfolio["agreements"][agreement_index]
    zone = agreement["time_zone"]
    indexes = [
        index
        for index, requirement in enumerate(portfolio["requirements"])
        if requirement["agreement"] == agreement_index
    ]
    qualified = {
        index: qualified_on(portfolio, portfolio["requirements"][index], day) for index in indexes
    }

    def present_count(index, slot):
        requirement = portfolio["requirements"][index]
        return sum(
            1
            for t in qualified[index]
            if walk.present(t, slot) and walk.certified(t, requirement, slot)
        )

    cells = {}  # (row, column) -> count
    counts = {}  # slot -> count
    for slot, moment in enumerate(walk.slots):
        wall = local(moment, zone)
        row = (wall.date() - day).days
        if not 0 <= row < 7:
            continue
        counts[slot] = min(present_count(index, slot) for index in indexes)
        key = (row, (wall.hour * 60 + wall.minute) // 30)
        cells[key] = min(cells.get(key, counts[slot]), counts[slot])
    window = read_pattern(settings.SUPPORT_WINDOWS[agreement["support_hours"]])
    rows = []
    for row in range(7):
        weekday = (day + datetime.timedelta(days=row)).weekday()
        cells_of_day = []
        for column in range(48):
            in_window = any(w == weekday and start <= column * 30 < end for w, start, end in window)
            count = cells.get((row, column))
            cells_of_day.append((count, in_window, in_window and count == 0))
        rows.append(cells_of_day)

    gaps = []
    for slot in sorted(counts):
        moment = walk.slots[slot]
        if not in_support_window(agreement, moment) or counts[slot]:
            continue
        local_day = local(moment, zone).date()
        if gaps and gaps[-1][2] == moment and gaps[-1][0] == local_day:
            gaps[-1][2] = moment + HALF_HOUR
            continue
        cause = NOBODY_QUALIFIED
        for index in indexes:
            if not qualified[index]:
                break
            if not present_count(index, slot):
                cause = _cause_of_dated_gap(walk, qualified[index], slot)
                break
        gaps.append([local_day, moment, moment + HALF_HOUR, cause])
    return rows, [tuple(gap) for gap in gaps]


def _cause_of_dated_gap(walk, qualified, slot):
    """E = the qualified scheduled at the slot: none → on call by someone else, or outside
    hours; else time off, last day, certification expiry, in that order."""
    scheduled = [t for t in qualified if walk.scheduled[t][slot]]
    if not scheduled:
        return ON_CALL_UNQUALIFIED if walk.on_call[slot] else OUTSIDE_HOURS
    if any(walk.away(t, slot) for t in scheduled):
        return TIME_OFF
    if any(walk.gone(t, slot) for t in scheduled):
        return LAST_DAY
    return CERTIFICATION_EXPIRY
