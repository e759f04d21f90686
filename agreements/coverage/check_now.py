""" "Run coverage check now", from the dashboard and the pages that show coverage.

A manual check is a check like the nightly one, but it never claims the day's CoverageRun and
never sends the report (DESIGN "Coverage checks are recorded"): the emailed report of the day
stays as it was sent. The page shows the check running until a check newer than the moment it
was queued has finished.
"""

import datetime

from agreements.coverage.tasks import run_coverage_check


def coverage_check_queue(*, user) -> None:
    """Queue a manual check for today once the current transaction commits."""
    run_coverage_check.delay_on_commit(user_id=user.pk if user else None)


def check_state(
    *, queued_at: datetime.datetime | None, finished_at: datetime.datetime | None
) -> str:
    """ "idle" when nothing was queued; "running" while no check has finished since `queued_at`
    (given when the newest check finished), else "finished"."""
    if queued_at is None:
        return "idle"
    if finished_at is None or finished_at < queued_at:
        return "running"
    return "finished"
