"""Reads around coverage for pages and the report; each runs a fixed number of queries."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, QuerySet

from agreements.coverage import CoverageResult, technicians_available_on
from agreements.models import Agreement
from core.permissions import visible_to
from skills.models import Skill, Technician

NOTICE_HORIZON_DAYS = 90


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


def agreements_with_notice_within(
    agreements: QuerySet[Agreement], *, day: datetime.date, days: int
) -> QuerySet[Agreement]:
    """Those of `agreements` whose last day to give notice falls in [day, day + days].

    Two queries: the notice date is end_date - notice_days, which is not portable SQL, so the
    candidates are narrowed by end date and the notice date is computed here.
    """
    with_end = agreements.filter(end_date__isnull=False, end_date__gte=day)
    longest_notice = with_end.aggregate(longest=Max("notice_days"))["longest"] or 0
    horizon = day + datetime.timedelta(days=days)
    candidates = with_end.filter(
        end_date__lte=horizon + datetime.timedelta(days=longest_notice)
    ).values_list("pk", "end_date", "notice_days")
    ids = [
        pk
        for pk, end_date, notice_days in candidates
        if day <= end_date - datetime.timedelta(days=notice_days) <= horizon
    ]
    return agreements.filter(pk__in=ids)


def agreements_notice_due(
    agreements: QuerySet[Agreement], *, day: datetime.date
) -> list[Agreement]:
    """The active ones of `agreements` whose last day to give notice falls within the next
    NOTICE_HORIZON_DAYS, soonest first, with their client. Three queries."""
    due = agreements_with_notice_within(
        agreements.filter(status=Agreement.Status.ACTIVE), day=day, days=NOTICE_HORIZON_DAYS
    ).select_related("client")
    return sorted(due, key=lambda agreement: (agreement.notice_date, agreement.reference))


def technicians_available_to(user, *, day: datetime.date) -> QuerySet[Technician]:
    """The technicians `user` may see who count for coverage on `day`, by name."""
    return (
        visible_to(user, Technician)
        .filter(pk__in=technicians_available_on(day).values("pk"))
        .order_by("name")
    )
