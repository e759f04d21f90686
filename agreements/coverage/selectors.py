"""Reads behind the coverage pages. Coverage figures come from the newest recorded check
(DESIGN "Coverage checks are recorded"); only the agreement page evaluates live, and only its
own agreement. Each read runs a fixed number of queries whatever the size of the portfolio.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from agreements import selectors as agreement_selectors
from agreements.coverage.checks import DataChange, coverage_data_changes_since, newest_check
from agreements.coverage.drafts_and_end_of_support import (
    END_OF_SUPPORT_HORIZON_DAYS,
    Migration,
    migrations_needed,
    presale_day,
)
from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.first_gaps import PEOPLE_GAP_DAYS
from agreements.coverage.models import (
    AT_RISK_OF_KIND,
    CheckedAgreement,
    CheckedEndOfSupport,
    CheckedProgramme,
    CheckedRequirement,
    CoverageCheck,
    CoverageFlag,
    CoverageStatus,
    ProgrammeStatus,
    RiskKind,
)
from agreements.coverage.report import report_context
from agreements.coverage.support_window import week_grid
from agreements.models import Agreement, active_on_condition
from clients.models import Client
from core.formatting import day_text
from core.permissions import perm_name, visible_to
from skills import selectors as skill_selectors
from skills.models import TrainingGoal

NOT_CHECKED = "not_checked"  # an agreement active today that the newest check did not see
# What a list's coverage says of a row: its status in the newest check, or not checked yet.
CHECKED_COVERAGE_CHOICES = [*CoverageStatus.choices, (NOT_CHECKED, "Not checked yet")]
DASHBOARD_ROWS = 5  # rows of each list card on the dashboard
# Worst first, as the dashboard lists them.
STATUS_ORDER = tuple(sorted(CoverageStatus, key=lambda status: -status.severity))


@dataclass(frozen=True)
class CheckFreshness:
    """The newest check and whether the data has changed since, for the "as of" notices."""

    check: CoverageCheck | None
    changes: list[DataChange]  # what changed since the check, by kind
    can_run: bool

    @property
    def changed_since(self) -> bool:
        return bool(self.changes)


def check_freshness(*, user) -> CheckFreshness:
    """Two queries: the newest check, the change stamp."""
    check = newest_check()
    return CheckFreshness(
        check=check,
        changes=coverage_data_changes_since(check),
        can_run=user.has_perm(perm_name(CoverageCheck, "add")),
    )


# ------------------------------------------------------------------------------ dashboard


@dataclass(frozen=True)
class StatusSummary:
    status: str
    label: str
    count: int
    annual_value: Decimal


@dataclass(frozen=True)
class RiskShare:
    """One kind's share of the agreements at risk."""

    risk_kind: str
    words: str  # "too few qualified today", "lapsing within 60 days"
    count: int
    annual_value: Decimal

    @property
    def filter_value(self) -> str:
        return RiskKind(self.risk_kind).filter_value


@dataclass(frozen=True)
class ListCard:
    """A dated list of the dashboard, read live: its first rows and how many there are."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class Dashboard:
    day: datetime.date
    freshness: CheckFreshness
    statuses: list[StatusSummary]
    risk_shares: list[RiskShare]  # thin, then lapsing; empty when the check did not record them
    single_technician_skills: dict | None  # the check's report section
    time_gaps: dict | None  # the check's "On-call and time-off gaps" section
    time_gap_days: int
    expiring_certifications: ListCard
    notice_dates: ListCard
    notice_horizon_days: int
    technicians_without_baseline: ListCard
    warning_days: int

    @property
    def check(self) -> CoverageCheck | None:
        return self.freshness.check


def _card(queryset_or_list, *, limit: int = DASHBOARD_ROWS) -> ListCard:
    if isinstance(queryset_or_list, list):
        return ListCard(rows=queryset_or_list[:limit], total=len(queryset_or_list))
    return ListCard(rows=list(queryset_or_list[:limit]), total=queryset_or_list.count())


def dashboard_build(*, day: datetime.date, user, warning_days: int) -> Dashboard:
    """The dashboard: coverage figures of the newest check only; the dated lists live."""
    freshness = check_freshness(user=user)
    check = freshness.check
    statuses, risk_shares = [], []
    single = time_gaps = None
    if check is not None and check.kinds_recorded:
        risk_shares = [
            RiskShare(
                risk_kind=kind.value,
                words=kind.share_words(check.warning_days),
                count=count,
                annual_value=annual_value,
            )
            for kind, count, annual_value in (
                (RiskKind.THIN, check.thin_count, check.arr_thin),
                (RiskKind.LAPSING, check.lapsing_count, check.arr_lapsing),
            )
        ]
    if check is not None:
        status_arr = check.report.get("status_arr", {})
        counts = {
            CoverageStatus.UNCOVERED: check.uncovered_count,
            CoverageStatus.AT_RISK: check.at_risk_count,
            CoverageStatus.COVERED: check.covered_count,
            CoverageStatus.NOT_ASSESSED: check.not_assessed_count,
        }
        statuses = [
            StatusSummary(
                status=status.value,
                label=status.label,
                count=counts[status],
                annual_value=Decimal(status_arr.get(status.value, "0")),
            )
            for status in STATUS_ORDER
        ]
        sections = report_context(coverage_check=check, base_url="")["sections"]
        single = sections.get("single_technician_skills")
        time_gaps = sections.get("time_gaps")
    notices = agreement_selectors.agreements_notice_due(visible_to(user, Agreement), day=day)
    return Dashboard(
        day=day,
        freshness=freshness,
        statuses=statuses,
        risk_shares=risk_shares,
        single_technician_skills=single,
        time_gaps=time_gaps,
        time_gap_days=PEOPLE_GAP_DAYS,
        expiring_certifications=_card(
            skill_selectors.expiring_certifications(day=day, within_days=warning_days)
        ),
        notice_dates=_card(notices),
        notice_horizon_days=agreement_selectors.NOTICE_HORIZON_DAYS,
        technicians_without_baseline=_card(skill_selectors.technicians_without_baseline(day=day)),
        warning_days=warning_days,
    )


def open_flags(flags: QuerySet[CoverageFlag]) -> QuerySet[CoverageFlag]:
    """Unresolved flags, newest first, with what their rows show: their first gap as the
    newest check recorded it (flags_with_first_gap)."""
    return flags_with_first_gap(
        flags.filter(resolved_at__isnull=True)
        .select_related("agreement__client", "acknowledged_by")
        .order_by("-first_detected_at", "-pk")
    )


FIRST_GAP_FIELDS = ("gap_starts_at", "gap_ends_at", "gap_cause", "uncovered_hours")


def flags_with_first_gap(flags: QuerySet[CoverageFlag]) -> QuerySet[CoverageFlag]:
    """`flags` with the first gap of their requirement as the newest check recorded it:
    `gap_starts_at`, `gap_ends_at`, `gap_cause`, `uncovered_hours` (None where it recorded
    none). Subqueries of the flags' own query."""
    newest = CoverageCheck.objects.values("pk")[:1]  # Meta.ordering: newest first
    recorded = CheckedRequirement.objects.filter(
        coverage_check=Subquery(newest), requirement=OuterRef("requirement_id")
    ).order_by()
    return flags.annotate(
        **{name: Subquery(recorded.values(name)[:1]) for name in FIRST_GAP_FIELDS}
    )


# ------------------------------------------------------------------------------ other pages


def agreements_with_checked_coverage(
    agreements: QuerySet[Agreement], *, day: datetime.date
) -> QuerySet[Agreement]:
    """`agreements` with `coverage`: their status in the newest check; "not_checked" for one
    active on `day` that the check did not see (created or activated since); "" for the others;
    and `coverage_checked_at`: when that check finished, None where it recorded no status, and
    `coverage_risk_kind`: thin or lapsing when the check found it at risk, else "" or None.
    One query for the newest check; the rest are subqueries of the list's own query."""
    check = newest_check()
    recorded = CheckedAgreement.objects.filter(coverage_check=check, agreement=OuterRef("pk"))
    return agreements.annotate(
        coverage=Coalesce(
            Subquery(recorded.values("status")[:1], output_field=CharField()),
            Case(
                When(active_on_condition(day), then=Value(NOT_CHECKED)),
                default=Value(""),
                output_field=CharField(),
            ),
        ),
        coverage_risk_kind=Subquery(recorded.values("risk_kind")[:1], output_field=CharField()),
        coverage_checked_at=_checked_at(check),
    )


def clients_with_checked_coverage(clients: QuerySet[Client], *, day: datetime.date) -> QuerySet:
    """`clients` with `coverage`: the worst status the newest check recorded for the client's
    agreements (the check records those active on its day); "not_checked" when it recorded none
    of them and the client has an agreement active on `day`; "" for the others; and
    `coverage_checked_at` as agreements_with_checked_coverage. One query for the newest check;
    the rest is subqueries of the list's own query."""
    check = newest_check()
    worst = (
        CheckedAgreement.objects.filter(coverage_check=check, agreement__client=OuterRef("pk"))
        .order_by(_severity_of_status().desc())
        .values("status")[:1]
    )
    active = Agreement.objects.active_on(day).filter(client=OuterRef("pk"))
    return clients.annotate(
        coverage=Coalesce(
            Subquery(worst, output_field=CharField()),
            Case(
                When(Exists(active), then=Value(NOT_CHECKED)),
                default=Value(""),
                output_field=CharField(),
            ),
        ),
        coverage_checked_at=_checked_at(check),
    )


def _checked_at(check: CoverageCheck | None) -> Case:
    """When `check` finished, for the rows of a list to which it gave a status."""
    return Case(
        When(
            coverage__in=CoverageStatus.values,
            then=Value(check.finished_at if check else None),
        ),
        default=None,
        output_field=DateTimeField(),
    )


def _severity_of_status() -> Case:
    """CoverageStatus.severity of a row's `status`, in SQL, to find the worst of several."""
    return Case(
        *(When(status=status.value, then=Value(status.severity)) for status in CoverageStatus),
        output_field=IntegerField(),
    )


def agreements_of_coverage(
    agreements: QuerySet[Agreement], name: str, value: str
) -> QuerySet[Agreement]:
    """`agreements` narrowed to those the newest check gave status `value` (or, for
    "at_risk_thin" and "at_risk_lapsing", at risk of that kind), or, for "not_checked", to
    those active today that it did not see: a filter on the check's own rows (an index on check
    and status), so its cost follows the rows it finds, not the portfolio."""
    if not value:
        return agreements
    checked = CheckedAgreement.objects.filter(coverage_check=newest_check())
    if value == NOT_CHECKED:
        return agreements.filter(active_on_condition(timezone.localdate())).exclude(
            pk__in=checked.values("agreement")
        )
    if value in AT_RISK_OF_KIND:
        checked = checked.filter(status=CoverageStatus.AT_RISK, risk_kind=AT_RISK_OF_KIND[value])
    else:
        checked = checked.filter(status=value)
    return agreements.filter(pk__in=checked.values("agreement"))


def _of_agreement(field: str) -> Subquery:
    """A column of the row's agreement, None when it has been deleted since the check (the
    check's rows keep its id without a foreign key)."""
    agreement = Agreement.objects.filter(pk=OuterRef("agreement_id")).order_by()
    return Subquery(agreement.values(field)[:1])


def check_agreement_results(check: CoverageCheck) -> QuerySet[CheckedAgreement]:
    """Every agreement of `check` with the status and annual value it recorded, and the
    reference, title and client of the agreement as it is now. One query per page: the
    agreements' columns are subqueries of the page's own rows."""
    return CheckedAgreement.objects.filter(coverage_check=check).annotate(
        reference=_of_agreement("reference"),
        title=_of_agreement("title"),
        client_name=_of_agreement("client__name"),
    )


def check_requirement_results(check: CoverageCheck) -> QuerySet[CheckedRequirement]:
    """The requirements `check` found uncovered or at risk, as it recorded them (reasons,
    qualified technicians, nearest candidates), with their agreement's reference and client.
    One query per page, like check_agreement_results."""
    return CheckedRequirement.objects.filter(coverage_check=check).annotate(
        reference=_of_agreement("reference"),
        client_name=_of_agreement("client__name"),
    )


@dataclass(frozen=True)
class RequirementRow:
    requirement: object  # a Requirement
    live: object | None  # its RequirementCoverage today, None when the agreement is not active
    recorded: CheckedRequirement | None  # what the newest check found, when not covered
    # Its version is out of support on the day judged: the migration the client needs, and
    # the team on the version moved to (training goes there, never to the old version).
    migration: Migration | None = None

    @property
    def recorded_status(self) -> str | None:
        """The status the newest check gave it: covered unless it recorded otherwise."""
        if self.recorded is not None:
            return self.recorded.status
        return CoverageStatus.COVERED.value if self.live is not None else None

    @property
    def recorded_risk_kind(self) -> str:
        return self.recorded.risk_kind if self.recorded is not None else ""

    @property
    def differs(self) -> bool:
        return self.live is not None and (self.live.status, self.live.risk_kind) != (
            self.recorded_status,
            self.recorded_risk_kind,
        )


# The pre-sale check's words for a draft's status (DESIGN "Before signing").
VERDICTS = {
    CoverageStatus.COVERED: "Deliverable",
    CoverageStatus.AT_RISK: "Deliverable with risk",
    CoverageStatus.UNCOVERED: "Not deliverable",
    CoverageStatus.NOT_ASSESSED: "Not assessed",
}


@dataclass(frozen=True)
class PresaleVerdict:
    day: datetime.date  # the draft's start date, or today when that has passed
    status: str
    label: str

    @property
    def color(self) -> str:
        return CoverageStatus(self.status).color


def agreement_presale_verdict(*, agreement: Agreement, day: datetime.date):
    """(verdict, the engine's coverage of it): the saved agreement evaluated as if it were
    active on its start date (today when that has passed), without recording anything."""
    on = presale_day(agreement.start_date, day)
    result = evaluate_coverage(day=on, agreement_ids=[agreement.pk], as_if_active=True)
    coverage = result.agreements[0]
    verdict = PresaleVerdict(day=on, status=coverage.status, label=VERDICTS[coverage.status])
    return verdict, coverage


def candidate_goals(rows) -> dict[int, dict[int, list[str]]]:
    """The open training goals of the rows' candidates (for the version moved to, when a
    migration is needed) in the rows' skills, as
    {technician id: {skill id: ["Exchange 2016 at level 3, due 15 Jan 2027, in progress"]}}.
    One query, none without candidates."""
    technician_ids, skill_ids = set(), set()
    for row in rows:
        if row.live is None or not row.requirement.skill_id:
            continue
        candidates = row.live.candidates
        if row.migration is not None:  # whom to train for the version moved to
            target = row.migration.target_coverage
            candidates = target.candidates if target else ()
        if candidates:
            skill_ids.add(row.requirement.skill_id)
            technician_ids.update(candidate.technician_id for candidate in candidates)
    if not technician_ids:
        return {}
    goals = (
        TrainingGoal.objects.filter(
            status__in=TrainingGoal.OPEN_STATUSES,
            technician_id__in=technician_ids,
            skill_id__in=skill_ids,
        )
        .select_related("skill", "target_version", "certification")
        .order_by("due_date", "pk")
    )
    found = {}
    for goal in goals:
        text = f"{goal.target}, due {day_text(goal.due_date)}, {goal.get_status_display().lower()}"
        found.setdefault(goal.technician_id, {}).setdefault(goal.skill_id, []).append(text)
    return found


def _status_and_kind(coverage) -> tuple[str | None, str]:
    return (coverage.status, coverage.risk_kind) if coverage else (None, "")


def agreement_coverage(
    *, agreement: Agreement, user, day: datetime.date, week: bool = True
) -> dict:
    """The agreement page's coverage, evaluated live for this one agreement on `day`, beside
    what the newest check recorded for it, its open flags and (`week`) its week in the client's
    time. A draft gets its pre-sale verdict instead: evaluated as if active from its start
    date."""
    verdict = None
    if agreement.status == Agreement.Status.DRAFT:
        verdict, coverage = agreement_presale_verdict(agreement=agreement, day=day)
    else:
        result = evaluate_coverage(day=day, agreement_ids=[agreement.pk])
        coverage = result.agreements[0] if result.agreements else None
    live = {r.requirement_id: r for r in coverage.requirements} if coverage else {}
    # The week in the client's time from the day judged (a draft's from its pre-sale day).
    grid = None
    if week and live:
        grid = week_grid(agreement_id=agreement.pk, day=verdict.day if verdict else day)
    migrations = {}
    if coverage is not None:
        migrations = migrations_needed(coverage, day=verdict.day if verdict else day)
    freshness = check_freshness(user=user)
    check = freshness.check
    recorded_status, recorded_risk_kind, recorded = None, "", {}
    if check is not None:
        recorded_status, recorded_risk_kind = (
            CheckedAgreement.objects.filter(coverage_check=check, agreement=agreement)
            .values_list("status", "risk_kind")
            .first()
        ) or (None, "")
        recorded = {
            row.requirement_id: row
            for row in CheckedRequirement.objects.filter(coverage_check=check, agreement=agreement)
        }
    requirements = agreement_selectors.requirements_name_their_services(
        list(agreement.requirements.select_related("skill", "version", "certification", "service"))
    )
    rows = [
        RequirementRow(r, live.get(r.pk), recorded.get(r.pk), migrations.get(r.pk))
        for r in requirements
    ]
    rows.sort(key=lambda row: -CoverageStatus.severity_of(row.live.status if row.live else None))
    return {
        "day": day,
        "coverage": coverage,
        "presale": verdict,
        "requirement_rows": rows,
        "candidate_goals": candidate_goals(rows),
        "freshness": freshness,
        "recorded_status": recorded_status,
        "recorded_risk_kind": recorded_risk_kind,
        "differs_from_check": check is not None
        and verdict is None
        and (
            _status_and_kind(coverage) != (recorded_status, recorded_risk_kind)
            or any(row.differs for row in rows)
        ),
        "flags": open_flags(visible_to(user, CoverageFlag)).filter(agreement=agreement),
        "week_grid": grid,
        "time_zone": agreement.client.time_zone,
    }


def requirement_coverage(*, agreement: Agreement, requirement, user, day: datetime.date) -> dict:
    """A requirement's page: its coverage evaluated live (a draft's as if active from its start
    date), what the newest check recorded for it, and its week in the client's time from the
    day judged. A fixed number of queries."""
    verdict = None
    if agreement.status == Agreement.Status.DRAFT:
        verdict, coverage = agreement_presale_verdict(agreement=agreement, day=day)
    else:
        result = evaluate_coverage(day=day, agreement_ids=[agreement.pk])
        coverage = result.agreements[0] if result.agreements else None
    live = None
    if coverage is not None:
        live = next((r for r in coverage.requirements if r.requirement_id == requirement.pk), None)
    freshness = check_freshness(user=user)
    recorded = None
    if freshness.check is not None:
        recorded = CheckedRequirement.objects.filter(
            coverage_check=freshness.check, requirement=requirement
        ).first()
    grid = None
    if live is not None:
        grid = week_grid(
            agreement_id=agreement.pk,
            day=verdict.day if verdict else day,
            requirement_id=requirement.pk,
        )
    (requirement,) = agreement_selectors.requirements_name_their_services([requirement])
    return {
        "day": day,
        "requirement": requirement,
        "presale": verdict,
        "live": live,
        "row": RequirementRow(requirement, live, recorded),
        "freshness": freshness,
        "week_grid": grid,
        "time_zone": agreement.client.time_zone,
    }


# ------------------------------------------------------------------------------ end of support


def _end_of_support_rows(
    check: CoverageCheck, *, within_days: int, successor_not_covered: bool
) -> QuerySet[CheckedEndOfSupport]:
    horizon = check.check_date + datetime.timedelta(days=within_days)
    rows = CheckedEndOfSupport.objects.filter(coverage_check=check, end_of_support__lte=horizon)
    if successor_not_covered:
        rows = rows.filter(status=CoverageStatus.UNCOVERED)
    return rows


def end_of_support_results(
    check: CoverageCheck | None,
    *,
    within_days: int = END_OF_SUPPORT_HORIZON_DAYS,
    successor_not_covered: bool = False,
) -> QuerySet[CheckedEndOfSupport]:
    """The client versions `check` found reaching end of support by its day + `within_days`
    (those already past it included), by date; each with `client_row`, its place among its
    client's rows (1: the client's first, the row that shows the client's ARR)."""
    if check is None:
        return CheckedEndOfSupport.objects.none()
    rows = _end_of_support_rows(
        check, within_days=within_days, successor_not_covered=successor_not_covered
    )
    return rows.annotate(
        client_row=Window(
            RowNumber(),
            partition_by=[F("client_id")],
            order_by=[F("end_of_support").asc(), F("label").asc(), F("pk").asc()],
        )
    ).order_by("end_of_support", "client_name", "label", "pk")


def end_of_support_client_values(
    check: CoverageCheck,
    client_ids,
    *,
    within_days: int = END_OF_SUPPORT_HORIZON_DAYS,
    successor_not_covered: bool = False,
) -> dict[int, Decimal]:
    """{client id: the ARR of its agreements that depend on its versions listed as
    end_of_support_results lists them}, each agreement counted once however many of its
    versions are listed. Two queries: the clients' rows, the agreements' values in the check."""
    rows = _end_of_support_rows(
        check, within_days=within_days, successor_not_covered=successor_not_covered
    ).filter(client_id__in=list(client_ids))
    agreements_of = defaultdict(set)
    for client_id, agreement_ids in rows.values_list("client_id", "agreement_ids"):
        agreements_of[client_id].update(agreement_ids)
    return _client_values(check, agreements_of)


def _client_values(check: CoverageCheck, agreements_of: dict) -> dict[int, Decimal]:
    """{client id: the sum of the annual values `check` recorded for its agreements}. One query
    (none without agreements)."""
    wanted = set().union(*agreements_of.values())
    if not wanted:
        return {}
    values = dict(
        CheckedAgreement.objects.filter(coverage_check=check, agreement_id__in=wanted).values_list(
            "agreement_id", "annual_value"
        )
    )
    return {
        client_id: sum((values.get(pk, Decimal(0)) for pk in agreement_ids), Decimal(0))
        for client_id, agreement_ids in agreements_of.items()
    }


def client_end_of_support_results(*, client_id: int, limit: int = 50) -> list[CheckedEndOfSupport]:
    """A client's rows of the newest check within its 12 months, by date, each with its check
    (without the report): one query."""
    newest = CoverageCheck.objects.values("pk")[:1]  # Meta.ordering: newest first
    rows = (
        CheckedEndOfSupport.objects.filter(coverage_check=Subquery(newest), client_id=client_id)
        .select_related("coverage_check")
        .only(
            *(f.name for f in CheckedEndOfSupport._meta.concrete_fields),
            "coverage_check__check_date",
            "coverage_check__finished_at",
        )
        .order_by("end_of_support", "label", "pk")[:limit]
    )
    horizon = datetime.timedelta(days=END_OF_SUPPORT_HORIZON_DAYS)
    return [row for row in rows if row.end_of_support <= row.coverage_check.check_date + horizon]


def client_end_of_support_value(rows: list[CheckedEndOfSupport]) -> Decimal | None:
    """The ARR of the client's agreements that depend on `rows` (client_end_of_support_results),
    each agreement counted once; None without rows. One query when there are rows."""
    if not rows:
        return None
    agreement_ids = set().union(*(row.agreement_ids for row in rows))
    values = _client_values(rows[0].coverage_check, {rows[0].client_id: agreement_ids})
    return values.get(rows[0].client_id, Decimal(0))


# ------------------------------------------------------------------------------ partner programmes


def programme_results(coverage_check: CoverageCheck | None) -> QuerySet[CheckedProgramme]:
    """The partner programmes a check recorded: not met, at risk (soonest lapse first), met;
    most benefit first within each. None without a check."""
    if coverage_check is None:
        return CheckedProgramme.objects.none()
    severity = Case(
        *(When(status=status.value, then=Value(status.severity)) for status in ProgrammeStatus),
        output_field=IntegerField(),
    )
    return (
        CheckedProgramme.objects.filter(coverage_check=coverage_check)
        .annotate(severity=severity)
        .order_by("-severity", F("lapses_on").asc(nulls_last=True), "-benefit", "label", "pk")
    )
