"""The skills matrix: every skill against every technician still on the team.

It lives with coverage because of its figures: who counts for coverage on the day, and a skill's
revenue dependence, the annual value of the active agreements that require it (skills must not
know about agreements). Four queries, whatever the number of skills and technicians.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from agreements.models import Agreement, Requirement
from skills.models import Level, Skill, SkillCategory, Technician, TechnicianSkill

QUALIFIED_LEVEL = Level.INDEPENDENT


@dataclass(frozen=True)
class MatrixTechnician:
    id: int
    name: str
    status: str
    status_label: str
    available: bool  # counts for coverage on the day


@dataclass(frozen=True)
class MatrixSkill:
    id: int
    name: str
    category: str
    levels: tuple[int | None, ...]  # one per technician, in the matrix's technician order
    qualified_count: int  # available technicians at level 3 or above
    revenue_dependence: Decimal  # annual value of active agreements requiring the skill

    @property
    def single_technician(self) -> bool:
        return self.qualified_count == 1


@dataclass(frozen=True)
class SkillsMatrix:
    day: datetime.date
    category: SkillCategory | None
    technicians: tuple[MatrixTechnician, ...]
    skills: tuple[MatrixSkill, ...]


def skills_matrix(
    *, category: SkillCategory | None = None, day: datetime.date | None = None
) -> SkillsMatrix:
    """Levels of each technician (not departed) in each skill (of `category`, or all), on `day`
    (default today)."""
    if day is None:
        day = timezone.localdate()
    skills = Skill.objects.select_related("category").order_by("category__name", "name")
    if category is not None:
        skills = skills.filter(category=category)
    skills = list(skills)

    technicians = tuple(
        MatrixTechnician(
            id=technician.pk,
            name=technician.name,
            status=technician.status,
            status_label=technician.get_status_display(),
            available=technician.available,
        )
        for technician in Technician.objects.on_team()
        .annotate(available=Exists(Technician.objects.available_on(day).filter(pk=OuterRef("pk"))))
        .order_by("name")
    )

    skill_ids = [skill.pk for skill in skills]
    levels = {
        (technician_id, skill_id): level
        for technician_id, skill_id, level in TechnicianSkill.objects.filter(skill_id__in=skill_ids)
        .filter(technician__in=Technician.objects.on_team())
        .values_list("technician_id", "skill_id", "level")
    }

    revenue = {}
    for skill_id, _agreement_id, annual_value in (
        Requirement.objects.filter(
            agreement__in=Agreement.objects.active_on(day).values("id"), skill_id__in=skill_ids
        )
        .order_by()
        .values_list("skill_id", "agreement_id", "agreement__annual_value")
        .distinct()
    ):
        revenue[skill_id] = revenue.get(skill_id, Decimal("0")) + annual_value

    rows = []
    for skill in skills:
        row_levels = tuple(levels.get((t.id, skill.pk)) for t in technicians)
        qualified = sum(
            1
            for technician, level in zip(technicians, row_levels, strict=True)
            if technician.available and level is not None and level >= QUALIFIED_LEVEL
        )
        rows.append(
            MatrixSkill(
                id=skill.pk,
                name=skill.name,
                category=skill.category.name,
                levels=row_levels,
                qualified_count=qualified,
                revenue_dependence=revenue.get(skill.pk, Decimal("0")),
            )
        )
    return SkillsMatrix(day=day, category=category, technicians=technicians, skills=tuple(rows))
