"""The week grid of an agreement or a requirement (agreements.coverage.support_window.week_grid)
as a table: 7 days × 48 half hours in the client's time, each cell shaded by how many qualified
people are present, the support window marked and its gaps outlined."""

from dataclasses import dataclass

from django import template

from agreements.coverage.first_gaps import WEEKDAYS, short_day_text
from agreements.coverage.models import GapCause
from core.formatting import day_text

register = template.Library()

SHADES = 3  # 0, 1, 2 and "3 or more" people present


@dataclass(frozen=True)
class GridCell:
    css: str
    text: str  # what a screen reader says in the cell
    title: str  # what hovering it says


def _cell(cell) -> GridCell:
    label = cell.label
    if cell.count is None:
        return GridCell("wg-none", "no such time", f"{label}: not a time of that day")
    shade = min(cell.count, SHADES)
    people = f"{cell.count} qualified present"
    if cell.gap:
        return GridCell(f"wg-{shade} wg-in wg-gap", "0, gap", f"{label}: gap, nobody qualified")
    if cell.in_window:
        return GridCell(f"wg-{shade} wg-in", str(cell.count), f"{label}: {people}")
    return GridCell(
        f"wg-{shade} wg-out", f"{cell.count}, outside", f"{label}: {people}, outside the window"
    )


@register.inclusion_tag("coverage/_week_grid.html")
def week_grid_table(grid, *, subject: str, grid_id: str = "week"):
    """The table of `grid`, about `subject` ("EXCH-001", "Exchange Server 2016 at level 3+"),
    with a legend and the gaps as a list; `grid_id` keeps the ids of two grids apart."""
    hours = [
        {"label": f"{index // 2:02d}:{30 * (index % 2):02d}", "even_hour": index % 4 == 0}
        for index in range(48)
    ]
    rows = [
        {
            "day": day,
            "day_label": short_day_text(day),
            "cells": [_cell(cell) for cell in cells],
        }
        for day, cells in zip(grid.days, grid.rows, strict=True)
    ]
    gaps = [
        {
            "day": day_text(gap.day),
            "weekday": WEEKDAYS[gap.day.weekday()],
            "hours": gap.hours,
            "cause": GapCause(gap.cause) if gap.cause else None,
        }
        for gap in grid.gaps
    ]
    return {
        "grid": grid,
        "grid_id": grid_id,
        "subject": subject,
        "hours": hours,
        "rows": rows,
        "gaps": gaps,
        "first_day": day_text(grid.days[0]),
        "last_day": day_text(grid.days[-1]),
        "shades": [(n, "3 or more" if n == SHADES else str(n)) for n in range(SHADES + 1)],
    }
