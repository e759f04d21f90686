"""Recorded coverage checks: evaluate once, write the result, let every page read it.

Implements DESIGN "Coverage checks are recorded". `coverage_check_run` is the one way a check
happens, whoever starts it (the nightly run, the sweep, a user's "Run coverage check now"): under
one lock it re-syncs the derived requirements, evaluates every active agreement, writes the
check set-based (COPY on PostgreSQL), brings the flags in line and builds the report sections.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from agreements.coverage import signals
from agreements.coverage.drafts_and_end_of_support import draft_verdicts, end_of_support_forecast
from agreements.coverage.engine import CoverageResult, evaluate_coverage
from agreements.coverage.flags import flagged_requirements, flags_sync
from agreements.coverage.impact import change_collect
from agreements.coverage.models import (
    CheckedAgreement,
    CheckedDraft,
    CheckedEndOfSupport,
    CheckedProgramme,
    CheckedRequirement,
    CheckedSkill,
    CoverageCheck,
    CoverageCheckRequest,
    CoverageDataChange,
    CoverageFlag,
    CoverageStatus,
    ProgrammeStatus,
    RiskKind,
)
from agreements.coverage.programmes import ProgrammeOutcome, programme_outcomes
from agreements.coverage.report import report_sections_build
from agreements.services import requirements_sync_all
from core.db import advisory_lock, rows_insert, statistics_refresh
from skills.models import Level, Skill, Technician, TechnicianSkill

LOCK = "coverage-check"
IMPORT_CHANGE = "imports"  # the kind of change an import counts, its rows being written in bulk
QUALIFIED_LEVEL = Level.INDEPENDENT  # the skills matrix counts technicians at this level or above


def coverage_check_run(*, day: datetime.date, trigger: str, user=None) -> CoverageCheck:
    """Check coverage for `day` and record it; one check at a time, in the caller's transaction
    (or its own).

    The check starts after the derived requirements are synced: writes after that moment are
    what a page calls "changed since the check".
    """
    with transaction.atomic():
        advisory_lock(LOCK)
        requirements_sync_all()
        started_at = timezone.now()
        data_changes = dict(CoverageDataChange.objects.values_list("kind", "changes"))
        result = evaluate_coverage(day=day)
        return coverage_check_record(
            result=result,
            trigger=trigger,
            started_at=started_at,
            user=user,
            data_changes=data_changes,
        )


def coverage_check_request_run(*, request_id: int) -> int | None:
    """Run the manual check a CoverageCheckRequest asks for, moving the row from queued to
    running, then to done with the check (in the check's own transaction) or to failed with why.

    Returns the check's id; None when the request is already done or failed, so that running
    the task twice records one check. A request left running (its worker was lost and the task
    delivered again) is taken up again.
    """
    Status = CoverageCheckRequest.Status
    requests = CoverageCheckRequest.objects.filter(pk=request_id)
    taken = requests.filter(status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    if not taken:
        return None
    user = requests.select_related("requested_by").get().requested_by
    try:
        with transaction.atomic():
            check = coverage_check_run(
                day=timezone.localdate(), trigger=CoverageCheck.Trigger.MANUAL, user=user
            )
            requests.update(status=Status.DONE, coverage_check=check, finished_at=timezone.now())
    except Exception as error:
        requests.update(
            status=Status.FAILED,
            error=f"The check failed: {type(error).__name__}: {error}"[:1000],
            finished_at=timezone.now(),
        )
        raise
    return check.pk


def coverage_check_record(
    *,
    result: CoverageResult,
    trigger: str,
    started_at: datetime.datetime,
    user=None,
    data_changes: dict[str, int] | None = None,
) -> CoverageCheck:
    """Write `result` as a check and bring the flags in line with it, then announce the check
    and the flags it opened and resolved (agreements/coverage/signals.py). A fixed number of
    queries: the check, its rows by COPY, the flags, the report's reads."""
    counts = result.counts
    check = CoverageCheck.objects.create(
        check_date=result.day,
        trigger=trigger,
        requested_by=user,
        started_at=started_at,
        finished_at=started_at,
        warning_days=result.warning_days,
        agreements_count=len(result.agreements),
        covered_count=counts.get(CoverageStatus.COVERED, 0),
        at_risk_count=counts.get(CoverageStatus.AT_RISK, 0),
        uncovered_count=counts.get(CoverageStatus.UNCOVERED, 0),
        not_assessed_count=counts.get(CoverageStatus.NOT_ASSESSED, 0),
        arr_total=result.arr_total,
        arr_uncovered=result.arr_uncovered,
        arr_at_risk=result.arr_at_risk,
        thin_count=result.risk_counts.get(RiskKind.THIN, 0),
        arr_thin=result.arr_thin,
        data_changes=data_changes or {},
    )
    rows_insert(
        CheckedAgreement,
        ["coverage_check_id", "agreement_id", "status", "risk_kind", "annual_value"],
        (
            (check.pk, a.agreement_id, a.status, a.risk_kind, a.annual_value)
            for a in result.agreements
        ),
    )
    changes = flags_sync(result=result, now=started_at, coverage_check=check)
    values = {a.agreement_id: a.annual_value for a in result.agreements}
    rows_insert(
        CheckedRequirement,
        [
            "coverage_check_id",
            "agreement_id",
            "requirement_id",
            "label",
            "status",
            "risk_kind",
            "min_technicians",
            "qualified_count",
            "lasting_count",
            "lapses_on",
            "reason",
            "qualified",
            "candidates",
            "is_new",
            "gap_starts_at",
            "gap_ends_at",
            "gap_cause",
            "uncovered_hours",
            "annual_value",
        ],
        (
            (
                check.pk,
                r.agreement_id,
                r.requirement_id,
                r.label[:255],
                r.status,
                r.risk_kind,
                r.min_technicians,
                r.qualified_count,
                r.lasting_count,
                r.lapses_on,
                r.reason[:500],
                *_people_json(r),
                r.requirement_id in changes.opened_requirement_ids,
                r.gap_starts_at,
                r.gap_ends_at,
                r.gap_cause,
                r.uncovered_hours,
                values[r.agreement_id],
            )
            for r in flagged_requirements(result)
        ),
    )
    _skills_record(check=check, result=result)
    programmes = _programmes_record(check=check, result=result)
    forecast = end_of_support_forecast(result)
    _outlook_record(check=check, result=result, forecast=forecast)
    check.new_flags_count = len(changes.opened_requirement_ids)
    check.resolved_flags_count = len(changes.resolved_ids)
    check.open_flags_count = CoverageFlag.objects.filter(resolved_at__isnull=True).count()
    # Kept as it will be read back: dates and amounts as text.
    check.report = json.loads(
        json.dumps(
            report_sections_build(
                coverage_check=check,
                result=result,
                end_of_support=forecast,
                programmes=programmes,
            ),
            cls=DjangoJSONEncoder,
        )
    )
    check.finished_at = timezone.now()
    check.save()
    statistics_refresh(
        CheckedAgreement,
        CheckedRequirement,
        CheckedSkill,
        CheckedDraft,
        CheckedEndOfSupport,
        CheckedProgramme,
        CoverageFlag,
    )
    signals.check_finished.send(sender=CoverageCheck, coverage_check=check)
    if changes.opened_ids:
        signals.flags_opened.send(sender=CoverageFlag, flag_ids=changes.opened_ids)
    if changes.resolved_ids:
        signals.flags_resolved.send(sender=CoverageFlag, flag_ids=changes.resolved_ids)
    return check


def _people_json(coverage) -> tuple[str, str]:
    """A result's qualified technicians ([[id, name], …]) and nearest candidates, as the JSON
    columns of a check's rows take them; empty lists without a result."""
    if coverage is None:
        return "[]", "[]"
    qualified = list(zip(coverage.qualified_ids, coverage.qualified_names, strict=True))
    candidates = [candidate_json(c) for c in coverage.candidates]
    return json.dumps(qualified), json.dumps(candidates, cls=DjangoJSONEncoder)


def candidate_json(candidate) -> dict:
    return {
        "technician_id": candidate.technician_id,
        "name": candidate.name,
        "level": candidate.level,
        "version_range": candidate.version_range,
        "gap": candidate.gap,
    }


def _skills_record(*, check: CoverageCheck, result: CoverageResult) -> None:
    """Every skill's figures on the check's day: who is qualified, what revenue depends on it."""
    qualified = dict(
        TechnicianSkill.objects.filter(
            technician__in=Technician.objects.available_on(result.day),
            level__gte=QUALIFIED_LEVEL,
        )
        .order_by()
        .values("skill_id")
        .annotate(count=Count("technician_id"))
        .values_list("skill_id", "count")
    )
    rows_insert(
        CheckedSkill,
        ["coverage_check_id", "skill_id", "qualified_count", "revenue_dependence"],
        (
            (
                check.pk,
                skill_id,
                qualified.get(skill_id, 0),
                result.revenue_dependence.get(skill_id, 0),
            )
            for skill_id in Skill.objects.order_by("pk").values_list("pk", flat=True)
        ),
    )


def _programmes_record(*, check: CoverageCheck, result: CoverageResult) -> list[ProgrammeOutcome]:
    """Every partner programme as the team stands on the check's day (coverage/programmes.py),
    with the figures of the dashboard: how many are at risk or not met, and their yearly benefit.
    """
    outcomes = programme_outcomes(day=result.day, warning_days=result.warning_days)
    rows_insert(
        CheckedProgramme,
        [
            "coverage_check_id",
            "programme_id",
            "label",
            "status",
            "reason",
            "lapses_on",
            "benefit",
            "renewal_date",
            "rules",
        ],
        (
            (
                check.pk,
                outcome.programme_id,
                outcome.label[:255],
                outcome.status,
                outcome.reason[:1000],
                outcome.lapses_on,
                outcome.benefit,
                outcome.renewal_date,
                json.dumps([rule.as_json() for rule in outcome.rules], cls=DjangoJSONEncoder),
            )
            for outcome in outcomes
        ),
    )
    check.programmes_at_risk_count = sum(
        1 for outcome in outcomes if outcome.status == ProgrammeStatus.AT_RISK
    )
    check.programmes_not_met_count = sum(
        1 for outcome in outcomes if outcome.status == ProgrammeStatus.NOT_MET
    )
    check.programme_benefit_at_stake = sum(
        (outcome.benefit for outcome in outcomes if outcome.at_stake), Decimal(0)
    )
    return outcomes


def _outlook_record(*, check: CoverageCheck, result: CoverageResult, forecast) -> None:
    """The drafts' pre-sale verdicts and the versions reaching end of support, with the two
    forward-looking figures of the dashboard (coverage/drafts_and_end_of_support.py)."""
    drafts = draft_verdicts(day=result.day)
    rows_insert(
        CheckedDraft,
        ["coverage_check_id", "agreement_id", "status", "annual_value", "assessed_on"],
        ((check.pk, d.agreement_id, d.status, d.annual_value, d.assessed_on) for d in drafts),
    )
    not_deliverable = [d for d in drafts if d.status == CoverageStatus.UNCOVERED]
    check.drafts_not_deliverable_count = len(not_deliverable)
    check.drafts_not_deliverable_value = sum((d.annual_value for d in not_deliverable), Decimal(0))
    rows_insert(
        CheckedEndOfSupport,
        [
            "coverage_check_id",
            "client_id",
            "client_name",
            "skill_id",
            "version_id",
            "label",
            "end_of_support",
            "out_of_support",
            "successor_id",
            "successor_label",
            "successor_supported",
            "min_level",
            "min_technicians",
            "status",
            "qualified",
            "candidates",
            "reason",
            "annual_value",
            "agreement_ids",
        ],
        (
            (
                check.pk,
                row.client_id,
                row.client_name[:200],
                row.skill_id,
                row.version_id,
                row.label[:255],
                row.end_of_support,
                row.out_of_support,
                row.successor_id,
                row.successor_label[:255],
                row.successor_supported,
                row.min_level,
                row.min_technicians,
                coverage.status if coverage else "",
                *_people_json(coverage),
                coverage.reason[:500] if coverage else "",
                row.annual_value,
                json.dumps(sorted(row.agreements)),
            )
            for row in forecast
            for coverage in [row.successor_coverage]
        ),
    )
    # An agreement counts once however many of its versions' successors are not covered.
    not_covered = {}
    for row in forecast:
        coverage = row.successor_coverage
        if coverage is not None and coverage.status == CoverageStatus.UNCOVERED:
            not_covered.update(row.agreements)
    check.end_of_support_arr_not_covered = sum(not_covered.values(), Decimal(0))


# ------------------------------------------------------------------------------ reads


def newest_check() -> CoverageCheck | None:
    """The check every coverage page reads. One query."""
    return CoverageCheck.objects.select_related("run").order_by("-finished_at", "-pk").first()


# How each kind of change reads on the pages: (one, many).
CHANGE_WORDS = {
    "agreements.agreement": ("agreement", "agreements"),
    "agreements.agreementservice": ("agreement's services", "agreements' services"),
    "agreements.requirement": ("requirement", "requirements"),
    "agreements.service": ("service", "services"),
    "agreements.service_skills_in_scope": ("service's skills", "services' skills"),
    "clients.clienttechnology": ("client environment entry", "client environment entries"),
    "skills.technician": ("technician", "technicians"),
    "skills.technicianskill": ("technician skill", "technician skills"),
    "skills.techniciancertification": (
        "certification held",
        "certifications held",
    ),
    "skills.certification": ("certification", "certifications"),
    "skills.skillversion": ("product version", "product versions"),
    "skills.partnerprogram": ("partner programme", "partner programmes"),
    "skills.partnerrule": ("partner programme rule", "partner programme rules"),
    "core.coveragesettings": ("change of the coverage rules", "changes of the coverage rules"),
    IMPORT_CHANGE: ("import", "imports"),
}


@dataclass(frozen=True)
class DataChange:
    """One kind of data changed since a check, and how often (None when the check is older
    than the counts)."""

    kind: str
    count: int | None

    def __str__(self):
        one, many = CHANGE_WORDS.get(self.kind, ("other change", "other changes"))
        if self.count is None:
            return many
        return f"{self.count:,} {one if self.count == 1 else many}"


def coverage_data_changes_since(check: CoverageCheck | None) -> list[DataChange]:
    """What data coverage depends on changed after `check` started, by kind, most changed
    first. One query."""
    if check is None:
        return []
    started = check.data_changes
    changes = []
    for kind, count in CoverageDataChange.objects.filter(
        changed_at__gt=check.started_at
    ).values_list("kind", "changes"):
        if not started:
            changes.append(DataChange(kind, None))
        elif count > started.get(kind, 0):
            changes.append(DataChange(kind, count - started.get(kind, 0)))
    return sorted(changes, key=lambda change: (-(change.count or 0), str(change)))


def coverage_data_changed_at() -> datetime.datetime | None:
    """When data coverage depends on last changed (None before the first write). One query."""
    return CoverageDataChange.objects.aggregate(last=Max("changed_at"))["last"]


# ------------------------------------------------------------------------------ upkeep


def coverage_data_touch(sender=None, *, kind: str = "", **kwargs) -> None:
    """Receiver of the writes that coverage depends on: the newest check is now out of date.
    Counts the change under its kind (the model written, or `kind`) in one query, and tells
    the request's impact collector what changed (agreements/coverage/impact.py)."""
    if kwargs.get("action", "post").startswith("pre"):
        return  # m2m_changed announces each change twice: before and after
    kind = kind or (sender._meta.label_lower if sender else "")
    now = timezone.now()
    counted = CoverageDataChange.objects.filter(kind=kind).update(
        changed_at=now, changes=F("changes") + 1
    )
    if not counted:
        CoverageDataChange.objects.get_or_create(
            kind=kind, defaults={"changed_at": now, "changes": 1}
        )
    change_collect(sender=sender, **kwargs)


def coverage_checks_prune(*, now: datetime.datetime | None = None) -> int:
    """Drop the per-agreement, per-requirement and per-skill rows of checks older than
    COVERAGE_CHECK_RETENTION_DAYS (never the newest one); figures and report sections stay.
    Returns how many checks were pruned."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.COVERAGE_CHECK_RETENTION_DAYS)
    newest = newest_check()
    old = CoverageCheck.objects.filter(finished_at__lt=cutoff, details_pruned_at__isnull=True)
    if newest is not None:
        old = old.exclude(pk=newest.pk)
    ids = list(old.values_list("pk", flat=True))
    if not ids:
        return 0
    for model in (
        CheckedAgreement,
        CheckedRequirement,
        CheckedSkill,
        CheckedDraft,
        CheckedEndOfSupport,
    ):
        model.objects.filter(coverage_check_id__in=ids).delete()
    CoverageCheck.objects.filter(pk__in=ids).update(details_pruned_at=now)
    return len(ids)
