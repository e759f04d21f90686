"""Reads behind the coverage pages (dashboard, agreement coverage) and the report; each runs a
fixed number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When

from agreements import selectors as agreement_selectors
from agreements.coverage.engine import CoverageResult, evaluate_coverage
from agreements.models import Agreement, CoverageFlag, CoverageRun, CoverageStatus, Requirement
from core.permissions import visible_to
from skills import selectors as skill_selectors
from skills.models import Skill

# Worst first, as the dashboard lists them.
STATUS_ORDER = tuple(sorted(CoverageStatus, key=lambda status: -status.severity))


@dataclass(frozen=True)
class StatusSummary:
    status: str
    label: str
    count: int
    annual_value: Decimal


@dataclass(frozen=True)
class Dashboard:
    day: datetime.date
    result: CoverageResult
    active_clients: int
    statuses: list[StatusSummary]
    single_technician_skills: list["SingleTechnicianSkill"]
    expiring_certifications: list
    notice_dates: list[Agreement]
    notice_horizon_days: int
    technicians_without_baseline: list
    last_run: CoverageRun | None

    @property
    def arr_at_risk(self) -> Decimal:
        return self.result.arr_uncovered + self.result.arr_at_risk


def coverage_statuses(result: CoverageResult) -> dict[int, str]:
    """Agreement id -> coverage status, for the agreements active on the result's day."""
    return {agreement.agreement_id: agreement.status for agreement in result.agreements}


def status_summaries(result: CoverageResult) -> list[StatusSummary]:
    values = dict.fromkeys(STATUS_ORDER, Decimal("0"))
    for agreement in result.agreements:
        values[agreement.status] += agreement.annual_value
    return [
        StatusSummary(
            status=status.value,
            label=status.label,
            count=result.counts.get(status.value, 0),
            annual_value=values[status],
        )
        for status in STATUS_ORDER
    ]


def open_flags(flags: QuerySet[CoverageFlag]) -> QuerySet[CoverageFlag]:
    """Unresolved flags, newest first, with what their rows show."""
    return (
        flags.filter(resolved_at__isnull=True)
        .select_related("agreement__client", "acknowledged_by")
        .order_by("-first_detected_at", "-pk")
    )


def dashboard_build(*, day: datetime.date, agreements: QuerySet[Agreement]) -> Dashboard:
    """Everything the dashboard shows but the open flags, for `day`.

    `agreements` are the rows the user may see; coverage is evaluated over those active on `day`.
    """
    result = evaluate_coverage(day=day, agreement_ids=agreements.values_list("pk", flat=True))
    return Dashboard(
        day=day,
        result=result,
        active_clients=len({agreement.client_id for agreement in result.agreements}),
        statuses=status_summaries(result),
        single_technician_skills=single_technician_skills(result),
        expiring_certifications=list(skill_selectors.expiring_certifications(day=day)),
        notice_dates=agreement_selectors.agreements_notice_due(agreements, day=day),
        notice_horizon_days=agreement_selectors.NOTICE_HORIZON_DAYS,
        technicians_without_baseline=list(skill_selectors.technicians_without_baseline(day=day)),
        last_run=CoverageRun.objects.order_by("-run_date").first(),
    )


@dataclass(frozen=True)
class SingleTechnicianSkill:
    """A skill that some agreement can count on only one technician for."""

    skill_id: int
    skill_name: str
    technician_names: tuple[str, ...]
    agreement_ids: tuple[int, ...]
    revenue_dependence: Decimal  # ARR of every active agreement requiring the skill


def single_technician_skills(result: CoverageResult) -> list[SingleTechnicianSkill]:
    """Skills with a requirement only one technician qualifies for, most revenue first.

    One query (the skill names).
    """
    technicians, agreements = {}, {}
    for requirement in result.requirements:
        if requirement.skill_id is not None and requirement.qualified_count == 1:
            technicians.setdefault(requirement.skill_id, set()).update(requirement.qualified_names)
            agreements.setdefault(requirement.skill_id, set()).add(requirement.agreement_id)
    names = dict(Skill.objects.filter(id__in=technicians).values_list("id", "name"))
    rows = [
        SingleTechnicianSkill(
            skill_id=skill_id,
            skill_name=names[skill_id],
            technician_names=tuple(sorted(technicians[skill_id])),
            agreement_ids=tuple(sorted(agreements[skill_id])),
            revenue_dependence=result.revenue_dependence.get(skill_id, Decimal("0")),
        )
        for skill_id in technicians
    ]
    rows.sort(key=lambda row: (-row.revenue_dependence, row.skill_name))
    return rows


# ------------------------------------------------------------------------------ other pages


def agreements_with_live_coverage(
    agreements: QuerySet[Agreement], *, day: datetime.date
) -> QuerySet[Agreement]:
    """`agreements` with `coverage`: the engine's status of each on `day`, "" for those not
    active then. Evaluates those of `agreements` that are active."""
    result = evaluate_coverage(day=day, agreement_ids=agreements.values_list("pk", flat=True))
    ids_by_status = defaultdict(list)
    for agreement in result.agreements:
        ids_by_status[agreement.status].append(agreement.agreement_id)
    return agreements.annotate(
        coverage=Case(
            *(When(pk__in=ids, then=Value(status)) for status, ids in ids_by_status.items()),
            default=Value(""),
            output_field=CharField(),
        )
    )


def agreements_with_flagged_coverage(
    agreements: QuerySet[Agreement], *, day: datetime.date
) -> QuerySet[Agreement]:
    """`agreements` with `coverage` as of the last check, from the open flags: "uncovered" or
    "at_risk" when an open flag says so, "not_assessed" for an active agreement without
    requirements, "covered" for the other active ones, "" for those not active on `day`."""
    open_flags = CoverageFlag.objects.filter(agreement=OuterRef("pk"), resolved_at__isnull=True)
    return agreements.annotate(
        coverage=Case(
            When(~Q(pk__in=Agreement.objects.active_on(day).values("pk")), then=Value("")),
            When(
                Exists(open_flags.filter(status=CoverageStatus.UNCOVERED)),
                then=Value(CoverageStatus.UNCOVERED.value),
            ),
            When(
                Exists(open_flags.filter(status=CoverageStatus.AT_RISK)),
                then=Value(CoverageStatus.AT_RISK.value),
            ),
            When(
                ~Exists(Requirement.objects.filter(agreement=OuterRef("pk"))),
                then=Value(CoverageStatus.NOT_ASSESSED.value),
            ),
            default=Value(CoverageStatus.COVERED.value),
            output_field=CharField(),
        )
    )


def agreement_coverage(*, agreement: Agreement, user, day: datetime.date) -> dict:
    """The agreement page's coverage: its status on `day`, each requirement with its coverage
    (worst first), and its open flags."""
    result = evaluate_coverage(day=day, agreement_ids=[agreement.pk])
    coverage = result.agreements[0] if result.agreements else None
    by_requirement = {r.requirement_id: r for r in coverage.requirements} if coverage else {}
    requirements = agreement.requirements.select_related(
        "skill", "version", "certification", "service"
    )
    return {
        "day": day,
        "coverage": coverage,
        "requirement_rows": sorted(
            ((r, by_requirement.get(r.pk)) for r in requirements),
            key=lambda row: -CoverageStatus.severity_of(row[1].status if row[1] else None),
        ),
        "flags": open_flags(visible_to(user, CoverageFlag)).filter(agreement=agreement),
    }
