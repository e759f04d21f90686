""" "Run coverage check now", from the dashboard and the pages that show coverage.

A manual check is a check like the nightly one, but it never claims the day's CoverageRun and
never sends the report (DESIGN "Coverage checks are recorded"): the emailed report of the day
stays as it was sent. The page shows the check running until a check newer than the moment it
was queued has finished.
"""

import datetime

import kombu.exceptions

from agreements.coverage.tasks import run_coverage_check


class QueueUnavailable(Exception):
    """The broker could not be reached: nothing was queued."""


def coverage_check_queue(*, user) -> None:
    """Queue a manual check for today, now: it reads nothing the request writes. The broker is
    given one short try (CELERY_BROKER_CONNECTION_TIMEOUT), so that a page never hangs on it."""
    try:
        run_coverage_check.apply_async(kwargs={"user_id": user.pk if user else None}, retry=False)
    except (kombu.exceptions.OperationalError, OSError) as error:
        raise QueueUnavailable(str(error)) from error


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
