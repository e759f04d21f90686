"""Celery tasks of the nightly job: thin, ids only, safe to run twice.

They keep the names they were registered under (agreements.tasks.…), so that beat schedules
saved in the database keep working.
"""

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from agreements.coverage.report import TRANSIENT_EMAIL_ERRORS, coverage_report_send
from agreements.coverage.runs import coverage_run_execute, coverage_run_refresh


@shared_task(
    name="agreements.tasks.run_nightly_coverage", acks_late=True, reject_on_worker_lost=True
)
def run_nightly_coverage(run_date: str | None = None) -> int | None:
    """Check coverage for `run_date` (ISO date; default today in TIME_ZONE), then queue the email.

    Returns the new run's id, or None when that date has already been run.
    """
    day = datetime.date.fromisoformat(run_date) if run_date else timezone.localdate()
    run = coverage_run_execute(run_date=day)
    if run is None:
        return None
    send_coverage_report.delay_on_commit(run.pk)
    return run.pk


@shared_task(
    name="agreements.tasks.refresh_coverage_run", acks_late=True, reject_on_worker_lost=True
)
def refresh_coverage_run(run_date: str) -> int | None:
    """Check an already-run date again ("Run coverage check now"); no email."""
    run = coverage_run_refresh(run_date=datetime.date.fromisoformat(run_date))
    return run.pk if run else None


@shared_task(
    bind=True,
    name="agreements.tasks.send_coverage_report",
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_coverage_report(self, run_id: int) -> str:
    """Email the run's report at most once, retrying SMTP failures with exponential backoff."""
    max_retries = settings.COVERAGE_EMAIL_MAX_RETRIES
    try:
        return coverage_report_send(
            run_id=run_id, final_attempt=self.request.retries >= max_retries
        )
    except TRANSIENT_EMAIL_ERRORS as exc:
        countdown = settings.COVERAGE_EMAIL_RETRY_BASE_SECONDS * 2**self.request.retries
        raise self.retry(exc=exc, countdown=countdown, max_retries=max_retries) from exc
