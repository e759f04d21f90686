"""The week of an agreement's support window as a grid (DESIGN "Coverage through the support
window"): 7 local days × 48 half hours in the client's time, each with how many qualified
technicians are present, the support window marked and the gaps named. Built live for one
agreement from the engine's evaluation of it and the team's time (team_time.py), which this
module re-exports for the engine's readers."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.models import GapCause
from agreements.coverage.team_time import (
    HALF,
    NO_FINDING,
    ONE_DAY,
    WEEK_SLOTS,
    Finding,
    Gap,
    QualifiedTime,
    SlotAxis,
    TeamTime,
    cause_of,
    clock_range,
)
from agreements.models import Agreement
from skills.weekly_patterns import DAY_NAMES, SLOTS_PER_DAY, clock, half_hours, support_window


@dataclass(frozen=True, slots=True)
class GridCell:
    count: int | None  # qualified present; None for a local time that does not exist that day
    in_window: bool
    gap: bool
    label: str  # "Mon 09:00"


@dataclass(frozen=True, slots=True)
class GridGap:
    day: datetime.date
    hours: str  # "00:00–09:00"
    cause: str  # GapCause value
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def cause_label(self) -> str:
        return GapCause(self.cause).label

    @property
    def cause_color(self) -> str:
        return GapCause(self.cause).color


@dataclass(frozen=True, slots=True)
class WeekGrid:
    zone: str
    days: list  # 7 local dates
    rows: list  # 7 lists of 48 GridCell
    gaps: list  # GridGap
    uncovered_hours: Decimal
    support_hours: str


def grid_build(
    *,
    team: TeamTime,
    zone: str,
    support_hours: str,
    day: datetime.date,
    requirements,
) -> WeekGrid:
    """The week D … D+6 in the client's time. `requirements`: (QualifiedTime, ...) of the
    requirements shown; a cell's count is the fewest qualified present over them."""
    axis = team.axis
    slots = axis.zone(zone)
    first, last = slots.first_slot_of(day), slots.first_slot_after(day + 6 * ONE_DAY)
    window_bits = axis.window(zone, support_hours, day, day + 6 * ONE_DAY)
    counts = None
    for qualified in requirements:
        found = team.present_count(qualified)
        counts = found if counts is None else np.minimum(counts, found)
    days = [day + index * ONE_DAY for index in range(7)]
    cells = [[None] * SLOTS_PER_DAY for _ in days]
    in_window_pattern = np.zeros(WEEK_SLOTS, bool)
    in_window_pattern[list(half_hours(support_window(support_hours)))] = True
    base_ordinal = day.toordinal()
    gap_slots = []
    for slot in range(first, last):
        row = int(slots.ordinal[slot]) - base_ordinal
        column = int(slots.minute[slot]) // 30
        count = None if counts is None else int(counts[slot])
        in_window = bool(window_bits >> slot & 1)
        # A gap is a UTC half hour with nobody present; a local half hour that the clocks
        # repeat shows the smaller of its two counts, but only its empty slot is a gap.
        if in_window and count == 0:
            gap_slots.append(slot)
        previous = cells[row][column]
        if previous is not None and previous[0] is not None and count is not None:
            count = min(count, previous[0])
        cells[row][column] = (count, in_window)
    rows = []
    for row, local_day in enumerate(days):
        weekday = local_day.weekday()
        cells_of_day = []
        for column in range(SLOTS_PER_DAY):
            found = cells[row][column]
            label = f"{DAY_NAMES[weekday]} {clock(column * 30)}"
            if found is None:
                in_window = bool(in_window_pattern[weekday * SLOTS_PER_DAY + column])
                cells_of_day.append(GridCell(None, in_window, False, label))
            else:
                count, in_window = found
                cells_of_day.append(GridCell(count, in_window, in_window and count == 0, label))
        rows.append(cells_of_day)
    return WeekGrid(
        zone=zone,
        days=days,
        rows=rows,
        gaps=_grid_gaps(team, slots, gap_slots, requirements),
        uncovered_hours=HALF * len(gap_slots),
        support_hours=support_hours,
    )


def _grid_gaps(team, slots, gap_slots, requirements):
    runs = []
    for slot in gap_slots:
        if runs and runs[-1][1] == slot and slots.ordinal[slot] == slots.ordinal[runs[-1][0]]:
            runs[-1][1] = slot + 1
        else:
            runs.append([slot, slot + 1])
    axis = team.axis
    gaps = []
    for start, end in runs:
        cause = GapCause.NOBODY_QUALIFIED.value
        for qualified in requirements:
            if not qualified.ids:
                break
            if not qualified.present >> start & 1:
                cause = cause_of(team, qualified.ids, start)
                break
        gap = Gap(axis.moment(start), axis.moment(end), cause, start, end)
        gaps.append(
            GridGap(
                day=slots.local_date(start),
                hours=clock_range(slots, gap),
                cause=cause,
                starts_at=gap.starts_at,
                ends_at=gap.ends_at,
            )
        )
    return gaps


def week_grid(*, agreement_id, day: datetime.date, requirement_id=None, coverage=None) -> WeekGrid:
    """The week D … D+6 of one agreement (or one of its requirements), live, in the client's
    time: how many qualified technicians are present in each half hour (the fewest over the
    requirements), the support window, and the gaps named. `coverage`: the agreement's
    AgreementCoverage from an evaluation on `day` that the caller made already (a page's), whose
    team's time is reused; without it, the engine's reads for one agreement, evaluated as if
    active (a draft too), and one query for its zone and hours."""
    if coverage is not None and coverage.qualified_times():
        support_hours, zone = coverage.support_hours_and_zone()
        return grid_build(
            team=coverage.team_time,
            zone=zone,
            support_hours=support_hours,
            day=day,
            requirements=coverage.qualified_times(requirement_id),
        )
    support_hours, zone = Agreement.objects.values_list("support_hours", "client__time_zone").get(
        pk=agreement_id
    )
    result = evaluate_coverage(
        day=day, agreement_ids=[agreement_id], as_if_active=True, warning_days=0
    )
    requirements = result.agreements[0].qualified_times(requirement_id) if result.agreements else []
    return grid_build(
        team=result.matcher.team_time,
        zone=zone,
        support_hours=support_hours,
        day=day,
        requirements=requirements,
    )


__all__ = [
    "NO_FINDING",
    "Finding",
    "GridCell",
    "GridGap",
    "QualifiedTime",
    "SlotAxis",
    "TeamTime",
    "WeekGrid",
    "grid_build",
    "week_grid",
]
