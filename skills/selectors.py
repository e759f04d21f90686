"""Reads for the technician and skill pages; each runs a fixed number of queries."""

import datetime

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
    When,
)
from django.shortcuts import get_object_or_404

from core.db import count_per_row
from core.permissions import visible_to
from skills.aliases import ProductMatcher
from skills.models import (
    Certification,
    LifecycleSnapshot,
    Skill,
    SkillAlias,
    SkillCategory,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    TrainingGoal,
)

END_OF_SUPPORT_WARNING_DAYS = 180


def support_state(*, day: datetime.date, field: str = "end_of_support") -> Case:
    """An annotation for a version's support: "ended", "ending" (within 180 days) or ""."""
    warn_until = day + datetime.timedelta(days=END_OF_SUPPORT_WARNING_DAYS)
    return Case(
        When(**{f"{field}__lt": day}, then=Value("ended")),
        When(**{f"{field}__lte": warn_until}, then=Value("ending")),
        default=Value(""),
        output_field=CharField(),
    )


def expiry_state(*, day: datetime.date) -> Case:
    """An annotation for a held certification: "expired", "expiring" (within
    COVERAGE_WARNING_DAYS) or "valid"."""
    warn_until = day + datetime.timedelta(days=settings.COVERAGE_WARNING_DAYS)
    return Case(
        When(expires_on__lt=day, then=Value("expired")),
        When(expires_on__lte=warn_until, then=Value("expiring")),
        default=Value("valid"),
        output_field=CharField(),
    )


def _valid_baseline_held(*, day: datetime.date) -> Exists:
    return Exists(
        TechnicianCertification.objects.valid_on(day).filter(
            technician=OuterRef("pk"), certification__is_baseline=True
        )
    )


def baseline_certifications_named() -> bool:
    """Whether the firm named any baseline certification; without one, nobody lacks it."""
    return Certification.objects.filter(is_baseline=True).exists()


def technician_list(*, user, day: datetime.date) -> QuerySet[Technician]:
    """Technicians with `skill_count`, `has_baseline` (a valid baseline certification on `day`)
    and their certifications prefetched, each with `expiry_state`."""
    held = TechnicianCertification.objects.select_related("certification").annotate(
        expiry_state=expiry_state(day=day)
    )
    return (
        visible_to(user, Technician)
        .annotate(
            skill_count=count_per_row(
                TechnicianSkill.objects.filter(technician=OuterRef("pk")), per="technician"
            ),
            has_baseline=_valid_baseline_held(day=day),
        )
        .prefetch_related(Prefetch("certifications", queryset=held.order_by("expires_on")))
        .order_by("name")
    )


def technician_get(*, user, pk: int, day: datetime.date) -> Technician:
    return get_object_or_404(
        visible_to(user, Technician)
        .select_related("user")
        .annotate(has_baseline=_valid_baseline_held(day=day)),
        pk=pk,
    )


def technician_skills(*, technician: Technician) -> QuerySet[TechnicianSkill]:
    return technician.skills.select_related(
        "skill__category", "oldest_version", "newest_version"
    ).order_by("-level", "skill__name")


def technician_certifications(
    *, technician: Technician, day: datetime.date
) -> QuerySet[TechnicianCertification]:
    return (
        technician.certifications.select_related("certification")
        .annotate(expiry_state=expiry_state(day=day))
        .order_by("certification__name")
    )


def technician_training_goals(*, technician: Technician) -> QuerySet[TrainingGoal]:
    return technician.training_goals.select_related(
        "skill", "target_version", "certification"
    ).order_by("due_date")


def skill_catalog(*, user, day: datetime.date) -> QuerySet[Skill]:
    """Skills with their category and versions (newest first, each with `support_state` and
    its successor)."""
    versions = (
        SkillVersion.objects.select_related("successor")
        .annotate(support_state=support_state(day=day))
        .order_by("-rank")
    )
    return (
        visible_to(user, Skill)
        .select_related("category")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("category__name", "name")
    )


def lifecycle_snapshot_newest() -> LifecycleSnapshot | None:
    """The lifecycle data the versions' dates come from. One query."""
    return LifecycleSnapshot.objects.first()  # the model's order: newest data first


def skill_categories() -> QuerySet[SkillCategory]:
    return SkillCategory.objects.order_by("name")


def expiring_certifications(*, day: datetime.date, within_days: int | None = None):
    """Certifications of technicians still on the team that expire in [day, day + within_days].

    `within_days` defaults to COVERAGE_WARNING_DAYS. One query when evaluated.
    """
    if within_days is None:
        within_days = settings.COVERAGE_WARNING_DAYS
    return (
        TechnicianCertification.objects.filter(
            expires_on__gte=day,
            expires_on__lte=day + datetime.timedelta(days=within_days),
            technician__in=Technician.objects.on_team(),
        )
        .select_related("technician", "certification")
        .order_by("expires_on", "technician__name", "certification__name")
    )


def technicians_without_baseline(*, day: datetime.date) -> QuerySet[Technician]:
    """Technicians on the team who hold no baseline certification valid on `day`.

    Empty when the firm has named no baseline certification. One query when evaluated.
    """
    return (
        Technician.objects.on_team()
        .filter(Exists(Certification.objects.filter(is_baseline=True)))
        .exclude(_valid_baseline_held(day=day))
        .order_by("name")
    )


def technicians_available_to(user, *, day: datetime.date) -> QuerySet[Technician]:
    """The technicians `user` may see who count for coverage on `day`, by name."""
    return visible_to(user, Technician).available_on(day).order_by("name")


def training_goals_for_plan(goals: QuerySet[TrainingGoal]) -> QuerySet[TrainingGoal]:
    """The goals with what the plan page shows of them, in due-date order. One query."""
    return goals.select_related("technician", "skill", "target_version", "certification").order_by(
        "due_date", "technician__name", "pk"
    )


def training_goals_due(*, day: datetime.date, within_days: int) -> QuerySet[TrainingGoal]:
    """Open goals due by `day` + `within_days`, overdue ones included, soonest first."""
    return training_goals_for_plan(
        TrainingGoal.objects.filter(
            status__in=TrainingGoal.OPEN_STATUSES,
            due_date__lte=day + datetime.timedelta(days=within_days),
        )
    )


def baseline_plan_rows(technicians) -> list[dict]:
    """For each technician lacking a baseline certification, their open goal to earn one.

    `technicians`: an iterable of technicians (e.g. technicians_without_baseline). One query.
    """
    technicians = list(technicians)
    planned = {}
    for goal in training_goals_for_plan(
        TrainingGoal.objects.filter(
            technician__in=technicians,
            certification__is_baseline=True,
            status__in=TrainingGoal.OPEN_STATUSES,
        )
    ):
        planned.setdefault(goal.technician_id, goal)
    return [
        {"technician": technician, "planned": planned.get(technician.pk)}
        for technician in technicians
    ]


def product_matcher() -> ProductMatcher:
    """The matcher of product names for an import, from every skill, version and alias (three
    queries)."""
    return ProductMatcher(
        skills=Skill.objects.values_list("pk", "name"),
        versions=SkillVersion.objects.order_by("skill_id", "rank").values_list(
            "pk", "skill_id", "label"
        ),
        aliases=SkillAlias.objects.values_list("skill_id", "pattern", "version_id"),
    )


# ------------------------------------------------------------------------------ downloads


def technicians_for_export(technicians: QuerySet[Technician]) -> QuerySet[Technician]:
    # The list's annotations and prefetches are not columns of the file.
    return Technician.objects.filter(pk__in=technicians.values("pk")).order_by("name", "pk")


def technician_skills_for_export(technicians: QuerySet[Technician]) -> QuerySet[TechnicianSkill]:
    return (
        TechnicianSkill.objects.filter(technician__in=technicians.values("pk"))
        .select_related("technician", "skill", "oldest_version", "newest_version")
        .order_by("technician__name", "skill__name", "pk")
    )


def technician_certifications_for_export(
    technicians: QuerySet[Technician],
) -> QuerySet[TechnicianCertification]:
    return (
        TechnicianCertification.objects.filter(technician__in=technicians.values("pk"))
        .select_related("technician", "certification")
        .order_by("technician__name", "certification__name", "pk")
    )
