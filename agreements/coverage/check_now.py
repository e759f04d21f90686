""" "Run coverage check now", from the dashboard.

The nightly job claims one CoverageRun per date and does nothing when the date already has one,
so queuing it a second time on the same day would check nothing. Hence: when today has no run
yet, the button queues the nightly task itself (one run, one email); when it has one, it queues
a refresh of that run (agreements/coverage/runs.py `coverage_run_refresh`), which sends no email.

The page shows the check running until today's run finishes after the moment it was queued.
"""

import datetime

from agreements.coverage.tasks import refresh_coverage_run, run_nightly_coverage
from agreements.models import CoverageRun


def coverage_check_queue(*, day: datetime.date) -> None:
    """Queue a coverage check for `day` once the current transaction commits."""
    if CoverageRun.objects.filter(run_date=day).exists():
        refresh_coverage_run.delay_on_commit(day.isoformat())
    else:
        run_nightly_coverage.delay_on_commit(day.isoformat())


def coverage_check_state(*, day: datetime.date, queued_at: datetime.datetime | None) -> str:
    """ "running" while a check queued at `queued_at` has not finished, else "finished".

    "idle" when nothing was queued. Reads today's run only when something was queued.
    """
    if queued_at is None:
        return "idle"
    finished_at = (
        CoverageRun.objects.filter(run_date=day).values_list("finished_at", flat=True).first()
    )
    return check_state(queued_at=queued_at, finished_at=finished_at)


def check_state(
    *, queued_at: datetime.datetime | None, finished_at: datetime.datetime | None
) -> str:
    """The state of a check queued at `queued_at`, given when the day's run last finished."""
    if queued_at is None:
        return "idle"
    if finished_at is None or finished_at < queued_at:
        return "running"
    return "finished"
