""" "Run coverage check now", from the dashboard and the pages that show coverage, and from the
API, where a request row lets the caller follow the check.

A manual check is a check like the nightly one, but it never claims the day's CoverageRun and
never sends the report (DESIGN "Coverage checks are recorded"): the emailed report of the day
stays as it was sent. The page shows the check running until a check newer than the moment it
was queued has finished.
"""

import datetime

import kombu.exceptions
from django.utils import timezone

from agreements.coverage.models import CoverageCheckRequest
from agreements.coverage.tasks import run_coverage_check

BROKER_ERRORS = (kombu.exceptions.OperationalError, OSError)


class QueueUnavailable(Exception):
    """The broker could not be reached: nothing was queued."""

    # What the pages and the API tell whoever asked for the check.
    user_message = (
        "The job queue cannot be reached right now, so no check was started. Try again in a "
        "few minutes; the nightly check runs as scheduled."
    )


def coverage_check_queue(*, user) -> None:
    """Queue a manual check for today, now: it reads nothing the request writes. The broker is
    given one short try (CELERY_BROKER_CONNECTION_TIMEOUT), so that a page never hangs on it."""
    try:
        run_coverage_check.apply_async(kwargs={"user_id": user.pk if user else None}, retry=False)
    except BROKER_ERRORS as error:
        raise QueueUnavailable(str(error)) from error


def coverage_check_request(*, user) -> CoverageCheckRequest:
    """Queue a manual check for today that the caller can follow: a CoverageCheckRequest row,
    queued, which the task moves on (checks.coverage_check_request_run).

    The row is written before the task is queued, and must be committed by then so that the
    worker finds it: call this outside a transaction (the API's view is not atomic). When the
    broker cannot be reached, the row is recorded as failed, never left queued, and
    QueueUnavailable is raised.
    """
    request = CoverageCheckRequest.objects.create(requested_by=user)
    try:
        run_coverage_check.apply_async(kwargs={"request_id": request.pk}, retry=False)
    except BROKER_ERRORS as error:
        CoverageCheckRequest.objects.filter(pk=request.pk).update(
            status=CoverageCheckRequest.Status.FAILED,
            error=f"The job queue could not be reached: {error}"[:1000],
            finished_at=timezone.now(),
        )
        raise QueueUnavailable(str(error)) from error
    # A worker (or, in the tests, the eager task) may already have moved it on.
    request.refresh_from_db()
    return request


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
