"""The coverage engine: which active agreements can the team deliver on a given day?

Implements ../DESIGN "Coverage rules" set-based: a fixed number of queries per evaluation,
whatever the number of agreements, requirements or technicians.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from agreements.models import CoverageStatus


@dataclass(frozen=True)
class Candidate:
    """A technician close to qualifying: right skill, but level too low or version out of range."""

    technician_id: int
    name: str
    level: int
    version_range: str
    gap: str  # e.g. "level 2 of 3 needed", "knows 2019 – 2022, client runs 2016"


@dataclass(frozen=True)
class RequirementCoverage:
    requirement_id: int
    agreement_id: int
    label: str  # "Exchange 2016 at level 3+", "CCNA", "Cisco IOS at level 3+ and CCNA"
    skill_id: int | None
    certification_id: int | None
    min_technicians: int
    status: str  # CoverageStatus value: covered / at_risk / uncovered
    qualified_ids: tuple[int, ...]  # qualified on the day, by name
    qualified_names: tuple[str, ...]
    lasting_count: int  # |L|: still qualified on day + W
    lapses_on: datetime.date | None
    reason: str  # "" when covered
    candidates: tuple[Candidate, ...] = ()  # filled for uncovered requirements

    @property
    def qualified_count(self):
        return len(self.qualified_ids)


@dataclass(frozen=True)
class AgreementCoverage:
    agreement_id: int
    reference: str
    title: str
    client_id: int
    client_name: str
    annual_value: Decimal
    status: str  # CoverageStatus value, incl. not_assessed
    requirements: tuple[RequirementCoverage, ...]


@dataclass
class CoverageResult:
    day: datetime.date
    warning_days: int
    agreements: list[AgreementCoverage]
    arr_total: Decimal
    arr_uncovered: Decimal
    arr_at_risk: Decimal
    revenue_dependence: dict[int, Decimal]  # skill id -> ARR of active agreements requiring it
    counts: dict[str, int] = field(default_factory=dict)  # CoverageStatus value -> agreements

    @property
    def requirements(self):
        return [r for a in self.agreements for r in a.requirements]


def evaluate_coverage(
    *,
    day: datetime.date,
    agreement_ids=None,
    exclude_technician_ids=(),
    warning_days: int | None = None,
) -> CoverageResult:
    """Evaluate every agreement active on `day` (or only `agreement_ids`).

    `exclude_technician_ids` treats those technicians as gone (the what-if). Reads only: it does
    not sync derived requirements or touch flags; callers do that first.
    """
    raise NotImplementedError


__all__ = [
    "AgreementCoverage",
    "Candidate",
    "CoverageResult",
    "CoverageStatus",
    "RequirementCoverage",
    "evaluate_coverage",
]
