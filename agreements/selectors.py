"""Reads around coverage for pages and the report; each runs a fixed number of queries."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from agreements.coverage import CoverageResult
from agreements.models import Agreement
from skills.models import Certification, Skill, Technician, TechnicianCertification


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


def expiring_certifications(*, day: datetime.date, within_days: int | None = None):
    """Certifications of technicians still on the team that expire in [day, day + within_days].

    `within_days` defaults to COVERAGE_WARNING_DAYS. One query when evaluated.
    """
    if within_days is None:
        within_days = settings.COVERAGE_WARNING_DAYS
    return (
        TechnicianCertification.objects.filter(
            expires_on__gte=day, expires_on__lte=day + datetime.timedelta(days=within_days)
        )
        .exclude(technician__status=Technician.Status.DEPARTED)
        .select_related("technician", "certification")
        .order_by("expires_on", "technician__name", "certification__name")
    )


def technicians_without_baseline(*, day: datetime.date):
    """Technicians on the team who hold no baseline certification valid on `day`.

    Empty when the firm has named no baseline certification. One query when evaluated.
    """
    valid_baseline = TechnicianCertification.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=day),
        technician=OuterRef("pk"),
        certification__is_baseline=True,
    )
    return (
        Technician.objects.exclude(status=Technician.Status.DEPARTED)
        .filter(Exists(Certification.objects.filter(is_baseline=True)))
        .exclude(Exists(valid_baseline))
        .order_by("name")
    )


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
