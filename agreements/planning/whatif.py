"""What if these technicians left? Nothing is saved: the coverage engine runs twice, once as
things are and once with the technicians treated as gone, and the two results are compared.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from agreements.coverage.engine import AgreementCoverage, CoverageResult, evaluate_coverage
from agreements.models import CoverageStatus


@dataclass(frozen=True)
class RequirementChange:
    label: str
    before: str  # CoverageStatus value
    after: str
    reason: str  # why it is no longer covered, in the engine's words
    remaining_names: tuple[str, ...]  # who would still qualify


@dataclass(frozen=True)
class AgreementChange:
    """An agreement whose coverage would get worse."""

    agreement_id: int
    reference: str
    title: str
    client_name: str
    annual_value: Decimal
    before: str
    after: str
    requirements: tuple[RequirementChange, ...]


@dataclass(frozen=True)
class WhatIf:
    day: datetime.date
    baseline: CoverageResult
    scenario: CoverageResult
    changes: tuple[AgreementChange, ...]  # worst first, then by annual value

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


def _severity(status: str) -> int:
    return CoverageStatus.severity_of(status)


def _agreement_change(before: AgreementCoverage, after: AgreementCoverage) -> AgreementChange:
    before_by_requirement = {r.requirement_id: r for r in before.requirements}
    requirements = tuple(
        RequirementChange(
            label=requirement.label,
            before=before_by_requirement[requirement.requirement_id].status,
            after=requirement.status,
            reason=requirement.reason,
            remaining_names=requirement.qualified_names,
        )
        for requirement in after.requirements
        if _severity(requirement.status)
        > _severity(before_by_requirement[requirement.requirement_id].status)
    )
    return AgreementChange(
        agreement_id=after.agreement_id,
        reference=after.reference,
        title=after.title,
        client_name=after.client_name,
        annual_value=after.annual_value,
        before=before.status,
        after=after.status,
        requirements=requirements,
    )


def what_if_technicians_leave(*, technician_ids, day: datetime.date) -> WhatIf:
    """Agreements that would become uncovered or at risk (or worse) without these technicians.

    Two coverage evaluations, so a fixed number of queries.
    """
    baseline = evaluate_coverage(day=day)
    scenario = evaluate_coverage(day=day, exclude_technician_ids=list(technician_ids))
    before_by_agreement = {a.agreement_id: a for a in baseline.agreements}
    changes = [
        _agreement_change(before_by_agreement[after.agreement_id], after)
        for after in scenario.agreements
        if _severity(after.status) > _severity(before_by_agreement[after.agreement_id].status)
    ]
    changes.sort(key=lambda c: (-_severity(c.after), -c.annual_value, c.client_name, c.reference))
    return WhatIf(day=day, baseline=baseline, scenario=scenario, changes=tuple(changes))
