"""What a check records to look ahead (DESIGN "Coverage checks are recorded", "Before signing",
"End of support"): each draft agreement's pre-sale verdict, and each client version reaching end
of support within 12 months with whether the team covers the version the client moves to; and,
for a deal or an agreement judged live, the migrations its out-of-support versions call for.

The version moved to is the first along the successor chain still supported after the date
that matters (skills.selectors.version_moves). It is judged as a hypothetical requirement by the
same evaluation: that version of the same skill, at the highest level and number of
technicians that the client's active agreements ask of the ending version, on the check's day.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from agreements.coverage.engine import (
    AgreementCoverage,
    CoverageResult,
    RequirementCoverage,
    evaluate_coverage,
)
from agreements.coverage.models import CoverageStatus
from agreements.models import Agreement
from skills.models import SkillVersion
from skills.selectors import VersionMove, version_moves

END_OF_SUPPORT_HORIZON_DAYS = 365  # "within 12 months"
REPORT_END_OF_SUPPORT_DAYS = 90  # the nightly report's section
PLAN_DAYS_BEFORE_END = 91  # "Add to plan" for a successor is due a quarter before the date


def presale_day(start_date: datetime.date, day: datetime.date) -> datetime.date:
    """The day a draft is judged on: its start date, or `day` when that has passed."""
    return max(start_date, day)


@dataclass(frozen=True)
class DraftVerdict:
    agreement_id: int
    status: str  # CoverageStatus value
    annual_value: Decimal
    assessed_on: datetime.date


def draft_verdicts(*, day: datetime.date) -> list[DraftVerdict]:
    """Every draft agreement evaluated as if active on its pre-sale day: one evaluation per
    distinct day (drafts that should have started already share `day`)."""
    by_day = defaultdict(list)
    for pk, start_date in Agreement.objects.filter(status=Agreement.Status.DRAFT).values_list(
        "pk", "start_date"
    ):
        by_day[presale_day(start_date, day)].append(pk)
    verdicts = []
    for on, ids in sorted(by_day.items()):
        result = evaluate_coverage(day=on, agreement_ids=ids, as_if_active=True)
        verdicts.extend(
            DraftVerdict(a.agreement_id, a.status, a.annual_value, on) for a in result.agreements
        )
    return verdicts


@dataclass
class EndOfSupportRow:
    client_id: int
    client_name: str
    skill_id: int
    version_id: int
    label: str  # "Windows Server 2016"
    end_of_support: datetime.date | None  # None: ended on a day the source does not give
    out_of_support: bool  # already past its end on the check's day: a finding of its own
    successor_id: int | None  # the version the client moves to (skills.selectors.version_moves)
    successor_label: str  # "Windows Server 2019", "" without a successor
    successor_supported: bool  # False: the newest of the chain, no supported version yet
    min_level: int = 0
    min_technicians: int = 0
    agreements: dict = field(default_factory=dict)  # agreement id -> annual value
    successor_coverage: RequirementCoverage | None = None

    @property
    def annual_value(self) -> Decimal:
        return sum(self.agreements.values(), Decimal("0"))


def end_of_support_forecast(result: CoverageResult) -> list[EndOfSupportRow]:
    """The versions that the active agreements of each client require and that reach end of
    support by the check's day + 12 months (those already past it included: the client has yet
    to move, and those ended on an unknown day first), by date, each with the version the
    client moves to. One query (the versions of the skills that have an ending one)."""
    horizon = result.day + datetime.timedelta(days=END_OF_SUPPORT_HORIZON_DAYS)
    moves = version_moves(
        version_ids=SkillVersion.objects.ending_by(horizon).values("pk"), day=result.day
    )
    if not moves:
        return []
    rows = {}
    for agreement in result.agreements:
        for _, skill_id, version_id, min_level, needed in agreement.version_needs():
            move = moves.get(version_id)
            if move is None:
                continue
            key = (agreement.client_id, version_id)
            row = rows.get(key)
            if row is None:
                row = rows[key] = EndOfSupportRow(
                    client_id=agreement.client_id,
                    client_name=agreement.client_name,
                    skill_id=skill_id,
                    version_id=version_id,
                    label=move.label,
                    end_of_support=move.end_of_support,
                    out_of_support=move.out_of_support,
                    successor_id=move.target_id,
                    successor_label=move.target_label,
                    successor_supported=move.target_supported,
                )
            row.min_level = max(row.min_level, min_level)
            row.min_technicians = max(row.min_technicians, needed)
            row.agreements[agreement.agreement_id] = agreement.annual_value
    for row in rows.values():
        if row.successor_id is not None:
            row.successor_coverage = result.hypothetical(
                skill_id=row.skill_id,
                version_id=row.successor_id,
                min_level=row.min_level,
                min_technicians=row.min_technicians,
                moving_from=moves[row.version_id].version_label,
            )
    return sorted(
        rows.values(),
        key=lambda r: (r.end_of_support or datetime.date.min, r.client_name, r.label),
    )


@dataclass(frozen=True)
class Migration:
    """A requirement on a version already out of support on the day a deal or an agreement is
    judged: the client needs a migration (an opportunity, on the agreement's annual value), and
    training goes to the version it moves to, never to the old one."""

    requirement_id: int
    move: VersionMove
    # The team on the version moved to, at the requirement's level and number of technicians;
    # None when the catalog has no supported version to move to.
    target_coverage: RequirementCoverage | None
    annual_value: Decimal

    @property
    def needs_training(self) -> bool:
        """The team does not yet plainly cover the version moved to."""
        return (
            self.target_coverage is not None
            and self.target_coverage.status != CoverageStatus.COVERED
        )


def migrations_needed(coverage: AgreementCoverage, *, day: datetime.date) -> dict[int, Migration]:
    """{requirement id: Migration} for the requirements of `coverage` (one agreement of an
    evaluation) whose version is out of support on `day`. One query."""
    needs = coverage.version_needs()
    moves = version_moves(version_ids={need[2] for need in needs}, day=day)
    found = {}
    for requirement_id, skill_id, version_id, min_level, needed in needs:
        move = moves[version_id]
        if not move.out_of_support:
            continue
        target = None
        if move.target_id is not None and move.target_supported:
            target = coverage.hypothetical(
                skill_id=skill_id,
                version_id=move.target_id,
                min_level=min_level,
                min_technicians=needed,
                moving_from=move.version_label,
            )
        found[requirement_id] = Migration(requirement_id, move, target, coverage.annual_value)
    return found


def plan_due_date(end_of_support: datetime.date | None, day: datetime.date) -> datetime.date:
    """A successor goal's due date: a quarter before the end of support, never before `day`
    (`day` itself when support ended on an unknown day)."""
    if end_of_support is None:
        return day
    return max(end_of_support - datetime.timedelta(days=PLAN_DAYS_BEFORE_END), day)
