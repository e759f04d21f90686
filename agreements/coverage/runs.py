"""The day's coverage run: claim the date once, record its check, hand it to the report.

Implements DESIGN "The nightly job" (the run). The nightly run for a date is the scheduled check
of that date; agreements/coverage/report.py emails that check's recorded report. The tasks in
agreements/coverage/tasks.py and the management commands call these services; they hold no
logic of their own.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from agreements.coverage.checks import coverage_check_run, coverage_checks_prune
from agreements.models import CoverageCheck, CoverageRun


def coverage_run_claim(*, run_date: datetime.date) -> CoverageRun | None:
    """Claim the run for `run_date` through its unique row; None when it is already claimed.

    A concurrent claimer on PostgreSQL waits on the unique index until the first transaction
    ends, then finds the row and gets None (or claims the date if the first rolled back).
    """
    run, created = CoverageRun.objects.get_or_create(
        run_date=run_date, defaults={"started_at": timezone.now()}
    )
    return run if created else None


def coverage_run_execute(
    *, run_date: datetime.date, trigger: str = CoverageCheck.Trigger.SCHEDULE
) -> CoverageRun | None:
    """Run the coverage check for `run_date` once; None when that date already has a run.

    The claim and the work share one transaction: a crash (or a lost worker) rolls the claim back
    with the half-done work, so the redelivered task can run the date again. A second runner
    waits on the claimed row and then does nothing. The engine runs once: the check it records
    carries the figures, the flags' changes and the report that will be emailed.
    """
    with transaction.atomic():
        run = coverage_run_claim(run_date=run_date)
        if run is None:
            return None
        check = coverage_check_run(day=run_date, trigger=trigger)
        _run_figures_set(run=run, coverage_check=check)
        run.save()
    coverage_checks_prune()
    return run


def _run_figures_set(*, run: CoverageRun, coverage_check: CoverageCheck) -> None:
    run.coverage_check = coverage_check
    for name in (
        "agreements_count",
        "covered_count",
        "at_risk_count",
        "uncovered_count",
        "not_assessed_count",
        "arr_total",
        "arr_uncovered",
        "arr_at_risk",
        "new_flags_count",
        "resolved_flags_count",
        "open_flags_count",
    ):
        setattr(run, name, getattr(coverage_check, name))
    run.finished_at = coverage_check.finished_at
