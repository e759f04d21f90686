"""What a check records to look ahead (DESIGN "Coverage checks are recorded", "Before signing",
"End of support"): each draft agreement's pre-sale verdict, and each client version reaching end
of support within 12 months with whether the team covers its successor.

The successor is judged as a hypothetical requirement by the same evaluation as the check: the
successor version of the same skill, at the highest level and number of technicians that the
client's active agreements ask of the ending version, on the check's day.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from agreements.coverage.engine import CoverageResult, RequirementCoverage, evaluate_coverage
from agreements.models import Agreement
from skills.models import SkillVersion

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
    end_of_support: datetime.date
    successor_id: int | None
    successor_label: str  # "Windows Server 2019", "" without a successor
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
    to move), by date. One query (the ending versions)."""
    horizon = result.day + datetime.timedelta(days=END_OF_SUPPORT_HORIZON_DAYS)
    ending = {
        row[0]: row
        for row in SkillVersion.objects.filter(end_of_support__lte=horizon)
        .order_by()
        .values_list(
            "pk", "skill__name", "label", "end_of_support", "successor_id", "successor__label"
        )
    }
    if not ending:
        return []
    rows = {}
    for agreement in result.agreements:
        for skill_id, version_id, min_level, needed in agreement.version_needs():
            version = ending.get(version_id)
            if version is None:
                continue
            key = (agreement.client_id, version_id)
            row = rows.get(key)
            if row is None:
                _, skill_name, label, end_of_support, successor_id, successor_label = version
                row = rows[key] = EndOfSupportRow(
                    client_id=agreement.client_id,
                    client_name=agreement.client_name,
                    skill_id=skill_id,
                    version_id=version_id,
                    label=f"{skill_name} {label}",
                    end_of_support=end_of_support,
                    successor_id=successor_id,
                    successor_label=f"{skill_name} {successor_label}" if successor_id else "",
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
            )
    return sorted(rows.values(), key=lambda r: (r.end_of_support, r.client_name, r.label))


def plan_due_date(end_of_support: datetime.date, day: datetime.date) -> datetime.date:
    """A successor goal's due date: a quarter before the end of support, never before `day`."""
    return max(end_of_support - datetime.timedelta(days=PLAN_DAYS_BEFORE_END), day)
