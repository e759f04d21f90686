"""The day's coverage run: claim the date once, sync requirements, evaluate, sync flags.

Implements DESIGN "The nightly job" (the run); agreements/coverage/report.py builds and sends its
report. The tasks in agreements/coverage/tasks.py and the management commands call these
services; they hold no logic of their own.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agreements.coverage.engine import CoverageResult, evaluate_coverage
from agreements.coverage.flags import flags_sync
from agreements.models import CoverageFlag, CoverageRun, CoverageStatus
from agreements.services import requirements_sync_all


def coverage_run_claim(*, run_date: datetime.date) -> CoverageRun | None:
    """Claim the run for `run_date` through its unique row; None when it is already claimed.

    A concurrent claimer on PostgreSQL waits on the unique index until the first transaction
    ends, then finds the row and gets None (or claims the date if the first rolled back).
    """
    run, created = CoverageRun.objects.get_or_create(
        run_date=run_date, defaults={"started_at": timezone.now()}
    )
    return run if created else None


def coverage_run_execute(*, run_date: datetime.date) -> CoverageRun | None:
    """Run the coverage check for `run_date` once; None when that date already has a run.

    The claim and the work share one transaction: a crash (or a lost worker) rolls the claim back
    with the half-done work, so the redelivered task can run the date again. A second runner
    waits on the claimed row and then does nothing.
    """
    with transaction.atomic():
        run = coverage_run_claim(run_date=run_date)
        if run is None:
            return None
        requirements_sync_all()
        result = evaluate_coverage(day=run_date)
        new_ids, resolved_ids = flags_sync(result=result, now=run.started_at)
        _run_figures_set(run=run, result=result)
        run.new_flags_count = len(new_ids)
        run.resolved_flags_count = len(resolved_ids)
        run.save()
    return run


def coverage_run_refresh(*, run_date: datetime.date) -> CoverageRun | None:
    """Check coverage again for a date that already has a run; None when it has none.

    "Run coverage check now" on a day that was already checked: derived requirements re-synced,
    flags opened and resolved as the night would, the run's figures replaced. No second email
    (a run's email goes out at most once); the day's report covers every check of the day, as
    flags found or resolved later fall inside the run's [started_at, finished_at] window.
    """
    with transaction.atomic():
        # The row lock makes a second refresh of the same day wait instead of racing on flags.
        run = CoverageRun.objects.select_for_update().filter(run_date=run_date).first()
        if run is None:
            return None
        requirements_sync_all()
        result = evaluate_coverage(day=run_date)
        flags_sync(result=result, now=timezone.now())
        _run_figures_set(run=run, result=result)
        # Counted as the day's report shows them: new since the run started and still open,
        # resolved since the run started.
        in_run = Q(first_detected_at__gte=run.started_at)
        run.new_flags_count = CoverageFlag.objects.filter(in_run, resolved_at__isnull=True).count()
        run.resolved_flags_count = CoverageFlag.objects.filter(
            resolved_at__gte=run.started_at
        ).count()
        run.save()
    return run


def _run_figures_set(*, run: CoverageRun, result: CoverageResult) -> None:
    run.agreements_count = len(result.agreements)
    run.covered_count = result.counts.get(CoverageStatus.COVERED, 0)
    run.at_risk_count = result.counts.get(CoverageStatus.AT_RISK, 0)
    run.uncovered_count = result.counts.get(CoverageStatus.UNCOVERED, 0)
    run.not_assessed_count = result.counts.get(CoverageStatus.NOT_ASSESSED, 0)
    run.arr_total = result.arr_total
    run.arr_uncovered = result.arr_uncovered
    run.arr_at_risk = result.arr_at_risk
    run.open_flags_count = CoverageFlag.objects.filter(resolved_at__isnull=True).count()
    run.finished_at = timezone.now()
