"""The day's coverage run: claim the date once, record its check, hand it to the report.

Implements DESIGN "The nightly job" (the run, never lost). The nightly run for a date is the
scheduled check of that date; agreements/coverage/report.py emails that check's recorded report.
The tasks in agreements/coverage/tasks.py and the management commands call these services;
they hold no logic of their own.

A run is taken up with a lease committed in its own transaction, so the attempt is on record
even when the work fails, and a worker that dies gives the run up when its lease runs out: the
sweep (`coverage_run_sweep`, every few minutes) then queues it again. The work itself holds the
run's row locked and checks that its claim still stands before it commits, so two workers never
both record a check for one date.
"""

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agreements.coverage.checks import coverage_check_run, coverage_checks_prune
from agreements.coverage.models import CoverageCheck, CoverageRun
from agreements.coverage.schedule import nightly_time
from agreements.services import agreement_terms_roll_over

log = logging.getLogger(__name__)


def _lease(now: datetime.datetime) -> datetime.datetime:
    seconds = settings.COVERAGE_RUN_LEASE_SECONDS or 60 * settings.COVERAGE_RUN_LEASE_MINUTES
    return now + datetime.timedelta(seconds=seconds)


def coverage_run_claim(*, run_date: datetime.date) -> CoverageRun | None:
    """Take up the run for `run_date`, committed at once; None when it is finished or another
    worker's lease on it is still live.

    Creates the date's row on the first attempt; later attempts take it over once its lease has
    run out. Each claim adds to `run_attempts` and gets a fresh `claim_token`.
    """
    now = timezone.now()
    token = secrets.token_hex(16)
    with transaction.atomic():
        run, created = CoverageRun.objects.get_or_create(
            run_date=run_date,
            defaults={
                "started_at": now,
                "lease_until": _lease(now),
                "claim_token": token,
                "run_attempts": 1,
            },
        )
        if created:
            return run
        taken = (
            CoverageRun.objects.filter(pk=run.pk, finished_at__isnull=True)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .update(
                lease_until=_lease(now),
                claim_token=token,
                run_attempts=run.run_attempts + 1,
                started_at=now,
            )
        )
    if not taken:
        return None
    run.refresh_from_db()
    return run


def coverage_run_execute(
    *, run_date: datetime.date, trigger: str = CoverageCheck.Trigger.SCHEDULE
) -> CoverageRun | None:
    """Run the coverage check for `run_date` once; None when the date is finished or being run.

    The engine runs once: the check it records carries the figures, the flags' changes and the
    report that will be emailed. A failure is written on the run (and logged) and raised again
    for the task to retry; the lease lets the next attempt take over.
    """
    claim = coverage_run_claim(run_date=run_date)
    if claim is None:
        return None
    try:
        with transaction.atomic():
            run = CoverageRun.objects.select_for_update().get(pk=claim.pk)
            if run.finished_at is not None or run.claim_token != claim.claim_token:
                return None  # taken over while this attempt waited: the other one does it
            agreement_terms_roll_over(day=run_date)
            check = coverage_check_run(day=run_date, trigger=trigger)
            run.coverage_check = check
            run.finished_at = check.finished_at
            run.lease_until = None
            run.run_last_error = ""
            run.save()
    except Exception as exc:
        coverage_run_failure_record(run_id=claim.pk, error=exc)
        raise
    coverage_checks_prune()
    return run


def coverage_run_failure_record(*, run_id: int, error: BaseException) -> None:
    """Write why an attempt failed on the run, and log it; never raises itself."""
    message = f"{type(error).__name__}: {error}"[:2000]
    log.warning("Coverage run %s failed: %s", run_id, message)
    try:
        # Releasing the lease lets the task's retry take the run up again at once.
        CoverageRun.objects.filter(pk=run_id, finished_at__isnull=True).update(
            run_last_error=message, lease_until=None
        )
    except Exception:  # the database itself may be what failed
        log.exception("Could not record the failure of coverage run %s", run_id)


# ------------------------------------------------------------------------------ the sweep


def scheduled_time(day: datetime.date) -> datetime.datetime:
    """When the nightly run of `day` is due, in TIME_ZONE."""
    hour, minute = nightly_time()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@dataclass(frozen=True)
class SweepNeed:
    """What today's nightly run still needs: "run" (queue it), "email" (queue the report of
    `run_id`), or "" (nothing)."""

    action: str
    run_id: int | None = None


def coverage_run_sweep(*, now: datetime.datetime | None = None) -> SweepNeed:
    """What today's nightly run still needs; called by the periodic sweep task.

    The run is due once its scheduled time has passed and it has neither finished nor a live
    lease; its report once the run has finished and the email is still pending or failed, no
    sender holds the row, and attempts are left.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    nothing = SweepNeed("")
    if now < scheduled_time(today):
        return nothing
    run = CoverageRun.objects.filter(run_date=today).first()
    if run is None:
        return SweepNeed("run")
    if run.finished_at is None:
        lease_live = run.lease_until is not None and run.lease_until >= now
        if lease_live or run.run_attempts >= settings.COVERAGE_RUN_MAX_ATTEMPTS:
            return nothing
        return SweepNeed("run", run.pk)
    waiting = run.email_status in (CoverageRun.EmailStatus.PENDING, CoverageRun.EmailStatus.FAILED)
    if not waiting or run.attempts > settings.COVERAGE_EMAIL_MAX_RETRIES:
        return nothing
    with transaction.atomic():
        # A sender holds the row while it sends; a dead one has let go of it.
        free = CoverageRun.objects.select_for_update(skip_locked=True).filter(pk=run.pk).exists()
    return SweepNeed("email", run.pk) if free else nothing
