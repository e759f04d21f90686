"""Celery tasks of coverage: thin, ids only, safe to run twice.

The nightly tasks keep the names they were registered under (agreements.tasks.…), so that beat
schedules saved in the database keep working.
"""

import datetime

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.report import TRANSIENT_EMAIL_ERRORS, coverage_report_send
from agreements.coverage.runs import coverage_run_execute
from agreements.models import CoverageCheck


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


@shared_task(name="agreements.tasks.run_coverage_check", acks_late=True, reject_on_worker_lost=True)
def run_coverage_check(user_id: int | None = None) -> int:
    """ "Run coverage check now": record a manual check for today; no run, no email."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    check = coverage_check_run(
        day=timezone.localdate(), trigger=CoverageCheck.Trigger.MANUAL, user=user
    )
    return check.pk


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
