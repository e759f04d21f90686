"""The skills matrix: skills against the technicians still on the team, paged both ways.

It lives with coverage because of its figures, read from the newest check: how many technicians
are qualified (available on the check's day at level 3 or above) and a skill's revenue
dependence, the annual value of the active agreements that require it (skills must not know
about agreements). A page reads one block of skills × technicians: its cost does not grow with
the team or the catalog. The CSV streams every skill in chunks.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet

from agreements.coverage.checks import QUALIFIED_LEVEL, newest_check
from agreements.coverage.models import CheckedSkill, CoverageCheck
from skills.models import (
    Skill,
    SkillCategory,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    review_due_before,
    version_range_text,
)

SKILLS_PER_PAGE = 50
TECHNICIANS_PER_PAGE = 12
CSV_CHUNK = 200


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
    levels: tuple[int | str | None, ...]  # one per technician of the page, in its order
    qualified_count: int | None  # from the newest check; None when it did not know the skill
    revenue_dependence: Decimal | None
    # The CSV's: "Avery Stone: Fortinet NSE 4 (until 2027-01-31)", valid certifications of the
    # columns' technicians that count for the skill.
    certifications: tuple[str, ...] = ()
    # One per technician of the page: their level of the skill is due for review (DESIGN
    # "Technicians keep their own skills").
    due_for_review: tuple[bool, ...] = ()

    @property
    def single_technician(self) -> bool:
        return self.qualified_count == 1

    @property
    def cells(self) -> tuple[tuple[int | str | None, bool], ...]:
        """(level, due for review) per technician of the page."""
        return tuple(
            zip(self.levels, self.due_for_review or (False,) * len(self.levels), strict=True)
        )


@dataclass(frozen=True)
class SkillsMatrix:
    day: datetime.date
    category: SkillCategory | None
    coverage_check: CoverageCheck | None
    technicians: tuple[MatrixTechnician, ...]
    skills: tuple[MatrixSkill, ...]
    skill_page: Page
    technician_page: Page
    qualified_level: int = QUALIFIED_LEVEL


def matrix_skills(category: SkillCategory | None) -> QuerySet[Skill]:
    skills = Skill.objects.select_related("category").order_by("category__name", "name", "pk")
    return skills.filter(category=category) if category is not None else skills


def matrix_technicians(day: datetime.date) -> QuerySet[Technician]:
    """Technicians still on the team, by name, with `available` on `day`."""
    available = Technician.objects.available_on(day).filter(pk=OuterRef("pk"))
    return Technician.objects.on_team().annotate(available=Exists(available)).order_by("name", "pk")


def _technician(technician: Technician) -> MatrixTechnician:
    return MatrixTechnician(
        id=technician.pk,
        name=technician.name,
        status=technician.status,
        status_label=technician.get_status_display(),
        available=technician.available,
    )


def _rows(
    skills, technicians, coverage_check, *, day=None, csv_day=None, technicians_read=None
) -> tuple[MatrixSkill, ...]:
    """The matrix rows of `skills` for the columns `technicians`: two queries. With `day`, each
    level says whether it is due for review then (same query). For the CSV (`csv_day`), a level
    also says its version range ("4 (2016 – 2019)") and a third query reads the certifications
    valid on that day. `technicians_read`, a query of the columns' ids, stands in for the list
    of them (the CSV's thousand technicians, in every chunk)."""
    skill_ids = [skill.pk for skill in skills]
    column_of = {technician.id: index for index, technician in enumerate(technicians)}
    columns = list(column_of) if technicians_read is None else technicians_read
    # Each row starts empty and gets the levels its skill has: the cost follows the skills
    # people know, not skills × technicians.
    levels = {skill_id: [None] * len(column_of) for skill_id in skill_ids}
    due = {skill_id: [False] * len(column_of) for skill_id in skill_ids}
    review_before = review_due_before(day) if day is not None else None
    for technician_id, skill_id, level, oldest, newest, assessed_on in (
        TechnicianSkill.objects.filter(skill_id__in=skill_ids, technician_id__in=columns)
    ).values_list(
        "technician_id",
        "skill_id",
        "level",
        "oldest_version__label",
        "newest_version__label",
        "assessed_on",
    ):
        if csv_day is not None and (oldest or newest):
            level = f"{level} ({version_range_text(oldest, newest)})"
        levels[skill_id][column_of[technician_id]] = level
        if review_before is not None:
            due[skill_id][column_of[technician_id]] = assessed_on <= review_before
    certifications = {skill_id: [] for skill_id in skill_ids}
    if csv_day is not None:
        held = (
            TechnicianCertification.objects.valid_on(csv_day)
            .filter(technician_id__in=columns, certification__skills__in=skill_ids)
            .order_by("technician__name", "certification__name")
            .values_list(
                "certification__skills", "technician__name", "certification__name", "expires_on"
            )
        )
        for skill_id, technician, certification, expires_on in held:
            until = f" (until {expires_on.isoformat()})" if expires_on else ""
            certifications[skill_id].append(f"{technician}: {certification}{until}")
    figures = {
        skill_id: (qualified, revenue)
        for skill_id, qualified, revenue in CheckedSkill.objects.filter(
            coverage_check=coverage_check, skill_id__in=skill_ids
        ).values_list("skill_id", "qualified_count", "revenue_dependence")
    }
    return tuple(
        MatrixSkill(
            id=skill.pk,
            name=skill.name,
            category=skill.category.name,
            levels=tuple(levels[skill.pk]),
            qualified_count=figures.get(skill.pk, (None, None))[0],
            revenue_dependence=figures.get(skill.pk, (None, None))[1],
            certifications=tuple(certifications[skill.pk]),
            due_for_review=tuple(due[skill.pk]) if review_before is not None else (),
        )
        for skill in skills
    )


def skills_matrix(
    *,
    day: datetime.date,
    category: SkillCategory | None = None,
    skill_page: int | str | None = 1,
    technician_page: int | str | None = 1,
) -> SkillsMatrix:
    """One block of the matrix: a page of skills (of `category`, or all) against a page of
    technicians. A fixed number of queries: two counts, two pages, levels, figures, the check."""
    skills = Paginator(matrix_skills(category), SKILLS_PER_PAGE).get_page(skill_page)
    technicians = Paginator(matrix_technicians(day), TECHNICIANS_PER_PAGE).get_page(technician_page)
    columns = tuple(_technician(technician) for technician in technicians)
    coverage_check = newest_check()
    return SkillsMatrix(
        day=day,
        category=category,
        coverage_check=coverage_check,
        technicians=columns,
        skills=_rows(list(skills), columns, coverage_check, day=day),
        skill_page=skills,
        technician_page=technicians,
    )


def skills_matrix_rows(
    *, day: datetime.date, category: SkillCategory | None = None
) -> tuple[tuple[MatrixTechnician, ...], Iterator[MatrixSkill]]:
    """Every technician, and every skill row against them, read CSV_CHUNK skills at a time."""
    columns = tuple(_technician(technician) for technician in matrix_technicians(day))
    coverage_check = newest_check()
    technicians_read = matrix_technicians(day).order_by().values("pk")

    def rows() -> Iterator[MatrixSkill]:
        skills = matrix_skills(category)
        for start in range(0, skills.count(), CSV_CHUNK):
            chunk = list(skills[start : start + CSV_CHUNK])
            yield from _rows(
                chunk, columns, coverage_check, csv_day=day, technicians_read=technicians_read
            )

    return columns, rows()
