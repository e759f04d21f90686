"""Celery tasks of coverage: thin, ids only, safe to run twice.

The nightly tasks keep the names they were registered under (agreements.tasks.…), so that beat
schedules saved in the database keep working. They retry database and broker errors with a
bounded backoff (DESIGN "The nightly job": never lost); the sweep catches what retries cannot,
such as a worker killed mid-run.
"""

import datetime

import kombu.exceptions
from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from agreements.coverage.checks import coverage_check_request_run, coverage_check_run
from agreements.coverage.impact import ChangedData, change_impact_store
from agreements.coverage.models import CoverageCheck
from agreements.coverage.reminders import reminder_send, reminders_queue
from agreements.coverage.report import (
    TRANSIENT_EMAIL_ERRORS,
    coverage_report_send,
    report_test_email_send,
)
from agreements.coverage.runs import coverage_run_execute, coverage_run_sweep

# The database or the broker went away for a moment: worth another try.
TRANSIENT_SERVICE_ERRORS = (
    OperationalError,
    InterfaceError,
    kombu.exceptions.OperationalError,
    ConnectionError,
)
RETRY = {
    "autoretry_for": TRANSIENT_SERVICE_ERRORS,
    "retry_backoff": settings.COVERAGE_TASK_RETRY_BASE_SECONDS,
    "retry_backoff_max": settings.COVERAGE_TASK_RETRY_MAX_SECONDS,
    "retry_jitter": False,
    "max_retries": settings.COVERAGE_TASK_MAX_RETRIES,
}


@shared_task(
    name="agreements.tasks.run_nightly_coverage",
    acks_late=True,
    reject_on_worker_lost=True,
    **RETRY,
)
def run_nightly_coverage(
    run_date: str | None = None, trigger: str = CoverageCheck.Trigger.SCHEDULE
) -> int | None:
    """Check coverage for `run_date` (ISO date; default today in TIME_ZONE), then queue the email.

    Returns the new run's id, or None when that date is finished or being run.
    """
    day = datetime.date.fromisoformat(run_date) if run_date else timezone.localdate()
    run = coverage_run_execute(run_date=day, trigger=trigger)
    if run is None:
        return None
    send_coverage_report.delay_on_commit(run.pk)
    return run.pk


@shared_task(name="agreements.tasks.sweep_nightly_coverage", acks_late=True)
def sweep_nightly_coverage() -> str:
    """Every few minutes: queue today's run when it is late and nobody holds it, or its report
    when it was left unsent."""
    need = coverage_run_sweep()
    if need.action == "run":
        run_nightly_coverage.delay(
            timezone.localdate().isoformat(), trigger=CoverageCheck.Trigger.SWEEP
        )
    elif need.action == "email":
        send_coverage_report.delay(need.run_id)
    return need.action


@shared_task(name="agreements.tasks.run_coverage_check", acks_late=True, reject_on_worker_lost=True)
def run_coverage_check(user_id: int | None = None, request_id: int | None = None) -> int | None:
    """ "Run coverage check now": record a manual check for today; no run, no email. With
    `request_id` (the API), the CoverageCheckRequest row follows the check and names its user;
    None when that request was already done."""
    if request_id is not None:
        return coverage_check_request_run(request_id=request_id)
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
    **RETRY,
)
def send_coverage_report(self, run_id: int) -> str:
    """Email the run's report at most once, retrying SMTP failures with exponential backoff."""
    return _send_retrying_smtp(self, coverage_report_send, run_id=run_id)


@shared_task(
    bind=True,
    name="agreements.tasks.send_report_test_email",
    acks_late=True,
    reject_on_worker_lost=True,
    **RETRY,
)
def send_report_test_email(self, test_email_id: int) -> str:
    """ "Send me a test email": the report to the one user who asked, retried like the report."""
    return _send_retrying_smtp(self, report_test_email_send, test_email_id=test_email_id)


def _send_retrying_smtp(task, send, **ids) -> str:
    """`send(**ids, final_attempt=…)`, retried on SMTP errors after
    COVERAGE_EMAIL_RETRY_BASE_SECONDS, doubling, at most COVERAGE_EMAIL_MAX_RETRIES times: the
    report and the reminders alike."""
    max_retries = settings.COVERAGE_EMAIL_MAX_RETRIES
    try:
        return send(**ids, final_attempt=task.request.retries >= max_retries)
    except TRANSIENT_EMAIL_ERRORS as exc:
        countdown = settings.COVERAGE_EMAIL_RETRY_BASE_SECONDS * 2**task.request.retries
        raise task.retry(exc=exc, countdown=countdown, max_retries=max_retries) from exc


@shared_task(name="agreements.tasks.send_reminders", acks_late=True, **RETRY)
def send_reminders(day: str | None = None) -> int:
    """Daily: claim the reminders due (`day`, ISO; default today) and queue each one's email."""
    reminder_ids = reminders_queue(
        day=datetime.date.fromisoformat(day) if day else timezone.localdate()
    )
    for reminder_id in reminder_ids:  # committed by reminders_queue
        send_reminder.delay(reminder_id)
    return len(reminder_ids)


@shared_task(
    bind=True,
    name="agreements.tasks.send_reminder",
    acks_late=True,
    reject_on_worker_lost=True,
    **RETRY,
)
def send_reminder(self, reminder_id: int) -> str:
    """Email one reminder at most once, retrying SMTP failures like the report."""
    return _send_retrying_smtp(self, reminder_send, reminder_id=reminder_id)


@shared_task(name="coverage.change_impact")
def work_out_change_impact(key: str, changes: dict, day: str) -> str:
    """What a change touching more agreements than a request evaluates does to coverage."""
    impact = change_impact_store(
        key=key, changes=ChangedData.from_json(changes), day=datetime.date.fromisoformat(day)
    )
    return str(impact)
