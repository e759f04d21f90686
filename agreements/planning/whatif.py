"""What if these technicians left? (DESIGN "Gap analysis, plan of attack and looking ahead":
What-if.) Nothing is saved.

Only the agreements active on the day with a requirement that a chosen technician meets can
change, so only those are evaluated, on both sides: as things are and with the technicians
treated as gone (engine.evaluate_coverage_without, one read for both), and the two are
compared. The agreements are selected in SQL, as a subquery of that read: a fixed number of
queries, whatever the number of technicians chosen.

The page (`what_if_page`) keeps the evaluated lists in the cache, as plain rows, and builds
what changes for each requirement for the rows it shows (`what_if_rows_detailed`): its next
pages, and the next user who picks the same technicians, cost a page's worth of work.
"""

import datetime
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet

from agreements.coverage.checks import coverage_data_changed_at
from agreements.coverage.engine import (
    AgreementCoverage,
    CoverageResult,
    RequirementCoverage,
    evaluate_coverage_without,
)
from agreements.coverage.models import CoverageStatus, RiskKind
from agreements.models import Agreement, Requirement
from skills.models import TechnicianCertification, TechnicianSkill


@dataclass(frozen=True)
class RequirementChange:
    requirement_id: int
    label: str
    before: str  # CoverageStatus value
    after: str
    before_risk_kind: str  # RiskKind value when at risk, else ""
    after_risk_kind: str
    reason: str  # why it is not covered afterwards, in the engine's words ("" when covered)
    remaining_names: tuple[str, ...]  # who would still qualify
    qualified_before: int  # |Q| on the day
    qualified_after: int
    lasting_before: int  # |L|: still qualified at the end of the window
    lasting_after: int

    @property
    def counts_text(self) -> str:
        """Who qualifies now → without them, today and at the end of the window, each count
        said once when it does not change, and the pair once when both change alike:
        "today 3 → 2, at the end of the window 2 → 1", "3 → 2 today and at the end of the
        window", "today 2, at the end of the window 2 → 1"."""
        today = (self.qualified_before, self.qualified_after)
        lasting = (self.lasting_before, self.lasting_after)
        if today == lasting:
            return f"{_change_text(*today)} today and at the end of the window"
        return f"today {_change_text(*today)}, at the end of the window {_change_text(*lasting)}"


def _change_text(before: int, after: int) -> str:
    return str(before) if before == after else f"{before} → {after}"


@dataclass(frozen=True)
class AgreementChange:
    """An agreement that would get worse (`changes`) or merely thinner (`thinner`)."""

    agreement_id: int
    reference: str
    title: str
    client_name: str
    annual_value: Decimal
    before: str
    after: str
    before_risk_kind: str  # RiskKind value when at risk, else ""
    after_risk_kind: str
    requirement_ids: frozenset[int]  # the requirements that get worse, or thinner
    coverages: tuple[AgreementCoverage, AgreementCoverage] = field(repr=False, compare=False)

    @cached_property
    def requirements(self) -> tuple[RequirementChange, ...]:
        """What changes for each of `requirement_ids`, in the model's order. Built when read:
        a page shows a few of the thousands an evaluation can list."""
        old, new = self.coverages
        before = {r.requirement_id: r for r in old.requirements}
        return tuple(
            _requirement_change(before[r.requirement_id], r)
            for r in new.requirements
            if r.requirement_id in self.requirement_ids
        )


@dataclass(frozen=True)
class ChangeRow:
    """An AgreementChange as the page lists it, without the evaluations it came from; its
    requirements' changes are built for the rows on show only (`what_if_rows_detailed`)."""

    agreement_id: int
    reference: str
    title: str
    client_name: str
    annual_value: Decimal
    before: str
    after: str
    before_risk_kind: str
    after_risk_kind: str
    requirement_ids: frozenset[int]
    requirements: tuple[RequirementChange, ...] = ()


@dataclass(frozen=True)
class Share:
    """How many agreements, and how much ARR, one line of the what-if speaks of."""

    count: int
    annual_value: Decimal


def _share(changes) -> Share:
    changes = list(changes)
    return Share(len(changes), sum((c.annual_value for c in changes), Decimal("0")))


@dataclass(frozen=True)
class WhatIf:
    """`baseline` and `scenario` hold only the agreements evaluated: those relying on the chosen
    technicians (every other agreement is the same on both sides)."""

    day: datetime.date
    baseline: CoverageResult
    scenario: CoverageResult
    changes: tuple[AgreementChange, ...]  # status gets worse; worst first, then by annual value
    thinner: tuple[AgreementChange, ...] = ()  # same status, fewer qualified; by annual value

    @property
    def arr_affected(self) -> Decimal:
        return sum((change.annual_value for change in self.changes), Decimal("0"))

    @property
    def arr_newly_uncovered(self) -> Decimal:
        return sum(
            (c.annual_value for c in self.changes if c.after == CoverageStatus.UNCOVERED),
            Decimal("0"),
        )

    @property
    def arr_newly_at_risk(self) -> Decimal:
        return sum(
            (c.annual_value for c in self.changes if c.after == CoverageStatus.AT_RISK),
            Decimal("0"),
        )

    @property
    def newly_uncovered(self) -> Share:
        return _share(c for c in self.changes if c.after == CoverageStatus.UNCOVERED)

    @property
    def newly_thin(self) -> Share:
        """The agreements that would become at risk with too few qualified on the day."""
        return _share(c for c in self.changes if c.after_risk_kind == RiskKind.THIN)

    @property
    def newly_lapsing(self) -> Share:
        """The agreements that would become at risk with coverage lapsing inside the window."""
        return _share(c for c in self.changes if c.after_risk_kind == RiskKind.LAPSING)


def _severity(status: str) -> int:
    return CoverageStatus.severity_of(status)


def agreements_relying_on(technician_ids, *, day: datetime.date) -> QuerySet:
    """Ids of the agreements with a requirement one of the technicians meets: the skill at the
    level and covering the version, or, for a certification-only requirement, the certification
    valid on `day`; by the rules the engine applies (`TechnicianSkill.objects.meeting`,
    `TechnicianCertification.objects.valid_on`). A requirement asking for both is matched on the
    skill alone (a superset).

    A subquery: evaluating it costs no query of its own (the engine keeps the agreements active
    on `day`). Each half is a semi-join of the requirements to the few rows of the chosen
    technicians, so the database hashes them instead of probing once per requirement.
    """
    technician_ids = list(technician_ids)
    skill_met = TechnicianSkill.objects.filter(
        technician__in=technician_ids, skill=OuterRef("skill")
    ).meeting(min_level=OuterRef("min_level"), version_rank=OuterRef("version__rank"))
    by_skill = Requirement.objects.filter(Exists(skill_met))
    by_certification = Requirement.objects.filter(
        skill__isnull=True,
        certification__in=TechnicianCertification.objects.valid_on(day)
        .filter(technician__in=technician_ids)
        .values("certification_id"),
    )
    return (
        Agreement.objects.filter(
            Q(id__in=by_skill.order_by().values("agreement_id"))
            | Q(id__in=by_certification.order_by().values("agreement_id"))
        )
        .order_by()
        .values("id")
    )


def _requirement_change(before: RequirementCoverage, after: RequirementCoverage):
    return RequirementChange(
        requirement_id=after.requirement_id,
        label=after.label,
        before=before.status,
        after=after.status,
        before_risk_kind=before.risk_kind,
        after_risk_kind=after.risk_kind,
        reason=after.reason,
        remaining_names=after.qualified_names,
        qualified_before=before.qualified_count,
        qualified_after=after.qualified_count,
        lasting_before=before.lasting_count,
        lasting_after=after.lasting_count,
    )


def _agreement_change(before: AgreementCoverage, after: AgreementCoverage, requirement_ids):
    return AgreementChange(
        agreement_id=after.agreement_id,
        reference=after.reference,
        title=after.title,
        client_name=after.client_name,
        annual_value=after.annual_value,
        before=before.status,
        after=after.status,
        before_risk_kind=before.risk_kind,
        after_risk_kind=after.risk_kind,
        requirement_ids=frozenset(requirement_ids),
        coverages=(before, after),
    )


def _compare(before: AgreementCoverage, after: AgreementCoverage):
    """(the change when the agreement gets worse, the change when it merely gets thinner), from
    the requirements' counts alone."""
    old = before.requirement_counts()
    pairs = [(pk, old[pk], new) for pk, new in after.requirement_counts().items() if pk in old]
    if _severity(after.status) > _severity(before.status):
        worse = [pk for pk, (was, _, _), (now, _, _) in pairs if now > was]
        return _agreement_change(before, after, worse), None
    thinner = [
        pk
        for pk, (_, qualified, lasting), (_, qualified_now, lasting_now) in pairs
        if qualified_now < qualified or lasting_now < lasting
    ]
    return None, _agreement_change(before, after, thinner) if thinner else None


def what_if_technicians_leave(*, technician_ids, day: datetime.date) -> WhatIf:
    """Agreements that would become uncovered or at risk (or worse) without these technicians,
    and those that would keep their status with fewer qualified technicians.

    Both sides evaluated from one read of the agreements relying on them: a fixed number of
    queries.
    """
    technician_ids = list(technician_ids)
    relying = agreements_relying_on(technician_ids, day=day)
    baseline, scenario = evaluate_coverage_without(
        day=day, technician_ids=technician_ids, agreement_ids=relying
    )
    before_by_agreement = {a.agreement_id: a for a in baseline.agreements}
    changes, thinner = [], []
    for after in scenario.agreements:
        worse, thinned = _compare(before_by_agreement[after.agreement_id], after)
        if worse is not None:
            changes.append(worse)
        elif thinned is not None:
            thinner.append(thinned)
    changes.sort(key=lambda c: (-_severity(c.after), -c.annual_value, c.client_name, c.reference))
    thinner.sort(key=lambda c: (-c.annual_value, c.client_name, c.reference))
    return WhatIf(
        day=day,
        baseline=baseline,
        scenario=scenario,
        changes=tuple(changes),
        thinner=tuple(thinner),
    )


@dataclass(frozen=True)
class WhatIfPage:
    """What the what-if page shows of a WhatIf: its figures and both lists, as plain rows."""

    day: datetime.date
    warning_days: int
    relying: int  # agreements relying on the chosen technicians
    arr_affected: Decimal
    arr_newly_uncovered: Decimal
    arr_newly_at_risk: Decimal
    newly_uncovered: Share
    newly_thin: Share
    newly_lapsing: Share
    arr_uncovered: tuple[Decimal, Decimal]  # among those relying on them: today, without them
    arr_at_risk: tuple[Decimal, Decimal]
    changes: "ChangeRows"
    thinner: "ChangeRows"

    @classmethod
    def of(cls, result: WhatIf) -> "WhatIfPage":
        return cls(
            day=result.day,
            warning_days=result.scenario.warning_days,
            relying=len(result.baseline.agreements),
            arr_affected=result.arr_affected,
            arr_newly_uncovered=result.arr_newly_uncovered,
            arr_newly_at_risk=result.arr_newly_at_risk,
            newly_uncovered=result.newly_uncovered,
            newly_thin=result.newly_thin,
            newly_lapsing=result.newly_lapsing,
            arr_uncovered=(result.baseline.arr_uncovered, result.scenario.arr_uncovered),
            arr_at_risk=(result.baseline.arr_at_risk, result.scenario.arr_at_risk),
            changes=ChangeRows.of(result.changes),
            thinner=ChangeRows.of(result.thinner),
        )


class ChangeRows(Sequence):
    """A list of ChangeRows kept as tuples of plain values (thousands of them pickle into the
    cache and out again in a few milliseconds); a row is built when read, a page at a time."""

    def __init__(self, values: tuple[tuple, ...]):
        self.values = values

    @classmethod
    def of(cls, changes) -> "ChangeRows":
        return cls(
            tuple(
                (
                    c.agreement_id,
                    c.reference,
                    c.title,
                    c.client_name,
                    str(c.annual_value),
                    c.before,
                    c.after,
                    c.before_risk_kind,
                    c.after_risk_kind,
                    tuple(sorted(c.requirement_ids)),
                )
                for c in changes
            )
        )

    @staticmethod
    def _row(values: tuple) -> ChangeRow:
        (
            agreement_id,
            reference,
            title,
            client_name,
            value,
            before,
            after,
            before_risk_kind,
            after_risk_kind,
            requirements,
        ) = values
        return ChangeRow(
            agreement_id=agreement_id,
            reference=reference,
            title=title,
            client_name=client_name,
            annual_value=Decimal(value),
            before=before,
            after=after,
            before_risk_kind=before_risk_kind,
            after_risk_kind=after_risk_kind,
            requirement_ids=frozenset(requirements),
        )

    def __len__(self):
        return len(self.values)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(values) for values in self.values[index]]
        return self._row(self.values[index])

    def __eq__(self, other):
        return isinstance(other, ChangeRows) and self.values == other.values


PAGE_VERSION = 2  # raised whenever WhatIfPage or ChangeRows change shape


def what_if_page_key(*, technician_ids, day: datetime.date, data_changed_at) -> str:
    """The cache key of a what-if: the technicians, the day and the data's last change, under
    the version of the page's rows (a cached page of another shape is never read back)."""
    chosen = ",".join(str(pk) for pk in sorted(set(technician_ids)))
    stamp = data_changed_at.isoformat() if data_changed_at else "-"
    digest = hashlib.sha256(f"{day.isoformat()}|{stamp}|{chosen}".encode()).hexdigest()
    return f"what-if:{PAGE_VERSION}:{digest}"


def what_if_page(*, technician_ids, day: datetime.date) -> WhatIfPage:
    """The what-if of `technician_ids` for the page, its rows without their requirements:
    evaluated once, then read from the cache by the next pages of its lists and the next users
    who choose the same technicians, until data coverage depends on changes (which makes a new
    key), the day changes or WHAT_IF_CACHE_SECONDS pass (a client's or an agreement's name
    shown in a list may be renamed meanwhile). One query when cached."""
    if not settings.WHAT_IF_CACHE_SECONDS:
        return _evaluated(technician_ids=technician_ids, day=day)
    key = what_if_page_key(
        technician_ids=technician_ids, day=day, data_changed_at=coverage_data_changed_at()
    )
    page = cache.get(key)
    if page is None:
        page = _evaluated_once(key, technician_ids=technician_ids, day=day)
    return page


def _evaluated(*, technician_ids, day: datetime.date) -> WhatIfPage:
    return WhatIfPage.of(what_if_technicians_leave(technician_ids=technician_ids, day=day))


EVALUATION_WAIT_SECONDS = 30  # longest wait for another request's evaluation of the same key
EVALUATION_POLL_SECONDS = 0.05


def _evaluated_once(key: str, *, technician_ids, day: datetime.date) -> WhatIfPage:
    """Evaluate the what-if of `key` and keep it. A request that finds the same what-if being
    evaluated by another (its lock is in the cache) waits for that result instead of evaluating
    it a second time beside it; if the result does not come (that request failed, or it takes
    longer than EVALUATION_WAIT_SECONDS), it evaluates the what-if itself."""
    lock = f"{key}:evaluating"
    if not cache.add(lock, True, timeout=EVALUATION_WAIT_SECONDS):
        deadline = time.monotonic() + EVALUATION_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(EVALUATION_POLL_SECONDS)
            # The lock first: its holder keeps the result before it lets the lock go.
            evaluating = cache.get(lock)
            page = cache.get(key)
            if page is not None:
                return page
            if not evaluating:
                break
    try:
        page = _evaluated(technician_ids=technician_ids, day=day)
        cache.set(key, page, timeout=settings.WHAT_IF_CACHE_SECONDS)
    finally:
        cache.delete(lock)
    return page


def what_if_rows_detailed(rows, *, technician_ids, day: datetime.date) -> list[ChangeRow]:
    """`rows` (a page of a WhatIfPage's lists) with what changes for each of their
    requirements: their agreements evaluated again on both sides, those alone (a page's worth,
    whatever the size of the what-if). A fixed number of queries."""
    rows = list(rows)
    if not rows:
        return []
    baseline, scenario = evaluate_coverage_without(
        day=day,
        technician_ids=list(technician_ids),
        agreement_ids=[row.agreement_id for row in rows],
    )
    before = {a.agreement_id: a for a in baseline.agreements}
    after = {a.agreement_id: a for a in scenario.agreements}
    detailed = []
    for row in rows:
        if row.agreement_id not in after:  # ended or deleted since the what-if was evaluated
            detailed.append(row)
            continue
        change = _agreement_change(
            before[row.agreement_id], after[row.agreement_id], row.requirement_ids
        )
        detailed.append(replace(row, requirements=change.requirements))
    return detailed
