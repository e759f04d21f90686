"""Reads for the technician and skill pages; each runs a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.shortcuts import get_object_or_404

from core.db import count_per_row
from core.formatting import day_text
from core.permissions import visible_to
from core.selectors import coverage_defaults
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


def expiry_state(*, day: datetime.date, warning_days: int) -> Case:
    """An annotation for a held certification: "expired", "expiring" (within the warning
    window, core.selectors.coverage_defaults) or "valid"."""
    warn_until = day + datetime.timedelta(days=warning_days)
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


def technician_list(*, user, day: datetime.date, warning_days: int) -> QuerySet[Technician]:
    """Technicians with `skill_count`, `has_baseline` (a valid baseline certification on `day`)
    and their certifications prefetched, each with `expiry_state`."""
    held = TechnicianCertification.objects.select_related("certification").annotate(
        expiry_state=expiry_state(day=day, warning_days=warning_days)
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


def skills_due_for_review(
    technician: Technician | None = None, *, day: datetime.date
) -> QuerySet[TechnicianSkill]:
    """Skills not assessed for SKILL_REVIEW_MONTHS on `day` (of one technician, else of the team
    still on it), oldest assessment first."""
    due = TechnicianSkill.objects.due_for_review(day)
    if technician is None:
        due = due.filter(technician__in=Technician.objects.on_team())
    else:
        due = due.filter(technician=technician)
    return due.select_related("technician", "skill", "oldest_version", "newest_version").order_by(
        "assessed_on", "technician__name", "skill__name"
    )


def technician_certifications(
    *, technician: Technician, day: datetime.date, warning_days: int
) -> QuerySet[TechnicianCertification]:
    return (
        technician.certifications.select_related("certification")
        .annotate(expiry_state=expiry_state(day=day, warning_days=warning_days))
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


def skill_get(*, user, pk: int, day: datetime.date) -> Skill:
    """One product with its category, its versions (oldest first, each with `support_state`
    and its successor) and its aliases (with their version) prefetched. Three queries."""
    versions = (
        SkillVersion.objects.select_related("successor")
        .annotate(support_state=support_state(day=day))
        .order_by("rank")
    )
    aliases = SkillAlias.objects.select_related("version").order_by("pattern")
    return get_object_or_404(
        visible_to(user, Skill)
        .select_related("category")
        .prefetch_related(
            Prefetch("versions", queryset=versions), Prefetch("aliases", queryset=aliases)
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class CatalogChange:
    """One change to a product, one of its versions or one of its aliases."""

    when: datetime.datetime
    user: object | None  # who saved it; None for a command or the starter catalog
    subject: str  # "Product", "Version 2016", "Alias “Exchange 2016 CU23”"
    action: str  # Created, Changed, Deleted
    changes: tuple[tuple[str, str, str], ...]  # (field, before, after)
    earlier_unknown: bool = False  # a change to a row saved before its history was kept


CATALOG_HISTORY_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
CATALOG_HISTORY_SKIPPED = {"created_at", "updated_at"}


def _history_with_previous(records: QuerySet, limit: int) -> list[tuple]:
    """The newest `limit` of `records` (a historical model's rows) with the record of the same
    row before each, or None. Two queries."""
    model = records.model
    previous_id = (
        model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    window = list(
        records.select_related("history_user")
        .annotate(previous_id=Subquery(previous_id))
        .order_by("-history_date", "-history_id")[:limit]
    )
    ids = {record.previous_id for record in window} - {None}
    earlier = model.objects.in_bulk(ids) if ids else {}
    return [(record, earlier.get(record.previous_id)) for record in window]


def skill_history(*, skill: Skill, limit: int = 50) -> list[CatalogChange]:
    """The newest `limit` changes to `skill`, its versions and its aliases, newest first, with
    what each changed; related rows by name. At most eight queries, whatever the history."""
    kinds = {
        Skill: Skill.history.filter(id=skill.pk),
        SkillVersion: SkillVersion.history.filter(skill_id=skill.pk),
        SkillAlias: SkillAlias.history.filter(skill_id=skill.pk),
    }
    diffs = []
    for model, records in kinds.items():
        for record, earlier in _history_with_previous(records, limit):
            if earlier is not None:
                fields = [
                    (change.field, change.old, change.new)
                    for change in record.diff_against(
                        earlier, excluded_fields=CATALOG_HISTORY_SKIPPED
                    ).changes
                ]
            elif record.history_type == "+":
                fields = [
                    (field.name, None, getattr(record, field.attname))
                    for field in model._meta.fields
                    if field.name not in CATALOG_HISTORY_SKIPPED | {"id", "skill"}
                    and getattr(record, field.attname) not in (None, "")
                ]
            else:
                fields = []
            diffs.append((model, record, earlier, fields))
    diffs.sort(key=lambda item: (item[1].history_date, item[1].history_id), reverse=True)
    diffs = diffs[:limit]

    names = _history_names(diffs)
    return [
        CatalogChange(
            when=record.history_date,
            user=record.history_user,
            subject=_history_subject(model, record),
            action=CATALOG_HISTORY_ACTIONS.get(record.history_type, record.history_type),
            changes=tuple(
                (
                    model._meta.get_field(name).verbose_name.capitalize(),
                    _history_value(model, name, old, names),
                    _history_value(model, name, new, names),
                )
                for name, old, new in fields
            ),
            earlier_unknown=earlier is None and record.history_type == "~",
        )
        for model, record, earlier, fields in diffs
    ]


def _history_names(diffs) -> dict:
    """{model: {id: name}} of the categories and versions the changes name. Two queries."""
    wanted = {SkillCategory: set(), SkillVersion: set()}
    for model, _, _, fields in diffs:
        for name, old, new in fields:
            related = model._meta.get_field(name).related_model
            if related in wanted:
                wanted[related].update({old, new} - {None})
    return {
        SkillCategory: dict(
            SkillCategory.objects.filter(pk__in=wanted[SkillCategory]).values_list("pk", "name")
        )
        if wanted[SkillCategory]
        else {},
        SkillVersion: dict(
            SkillVersion.objects.filter(pk__in=wanted[SkillVersion]).values_list("pk", "label")
        )
        if wanted[SkillVersion]
        else {},
    }


def _history_subject(model, record) -> str:
    if model is SkillVersion:
        return f"Version {record.label}"
    if model is SkillAlias:
        return f"Alias “{record.pattern}”"
    return "Product"


def _history_value(model, field_name: str, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    related = model._meta.get_field(field_name).related_model
    if related is not None:
        return names.get(related, {}).get(value, f"#{value} (removed)")
    if isinstance(value, datetime.date):
        return day_text(value)
    return str(value)


def lifecycle_snapshot_newest() -> LifecycleSnapshot | None:
    """The lifecycle data the versions' dates come from. One query."""
    return LifecycleSnapshot.objects.first()  # the model's order: newest data first


@dataclass(frozen=True)
class VersionMove:
    """Where a client on a version moves when its support ends (DESIGN "End of support")."""

    version_id: int
    skill_name: str
    version_label: str  # "2013"
    end_of_support: datetime.date | None
    out_of_support: bool  # already past its end of support on the day asked about
    target_id: int | None  # None: the catalog names no successor
    target_version_label: str  # "SE"; "" without a successor
    target_supported: bool  # False: the newest of the chain, no supported version yet

    @property
    def label(self) -> str:
        return f"{self.skill_name} {self.version_label}"

    @property
    def target_label(self) -> str:
        """ "Exchange Server SE"; "" without a successor."""
        return f"{self.skill_name} {self.target_version_label}" if self.target_id else ""


def version_moves(*, version_ids, day: datetime.date) -> dict[int, VersionMove]:
    """For each of `version_ids` (a list, or a queryset of ids), the version a client on it
    moves to: the first along its chain of successors that is still supported after the date
    that matters (its own end of support, or `day` when that has passed); when none of the
    chain is, the newest of the chain. One query: every version of their skills."""
    if not isinstance(version_ids, QuerySet):
        version_ids = list(version_ids)
        if not version_ids:
            return {}
    is_wanted = Q(pk__in=version_ids)
    versions = {
        version.pk: version
        for version in SkillVersion.objects.filter(
            skill__in=SkillVersion.objects.filter(is_wanted).values("skill")
        )
        .annotate(is_wanted=ExpressionWrapper(is_wanted, output_field=BooleanField()))
        .select_related("skill")
        .order_by()
    }
    moves = {}
    for version in versions.values():
        if not version.is_wanted:
            continue
        moves_on = max(version.end_of_support or day, day)
        target, supported = _move_target(version, versions, moves_on)
        moves[version.pk] = VersionMove(
            version_id=version.pk,
            skill_name=version.skill.name,
            version_label=version.label,
            end_of_support=version.end_of_support,
            out_of_support=version.out_of_support_on(day),
            target_id=target.pk if target else None,
            target_version_label=target.label if target else "",
            target_supported=supported,
        )
    return moves


def _move_target(version, versions: dict, moves_on: datetime.date):
    """(the version moved to, whether it is supported after `moves_on`); (None, False) when
    the catalog names no successor. A chain that loops back stops where it repeats."""
    chain, seen = [], {version.pk}
    successor = versions.get(version.successor_id)
    while successor is not None and successor.pk not in seen:
        if successor.supported_after(moves_on):
            return successor, True
        chain.append(successor)
        seen.add(successor.pk)
        successor = versions.get(successor.successor_id)
    if not chain:
        return None, False
    return max(chain, key=lambda candidate: candidate.rank), False


def skill_categories() -> QuerySet[SkillCategory]:
    return SkillCategory.objects.order_by("name")


def expiring_certifications(*, day: datetime.date, within_days: int | None = None):
    """Certifications of technicians still on the team that expire in [day, day + within_days].

    `within_days` defaults to the warning window (core.selectors.coverage_defaults, one more
    query). One query when evaluated.
    """
    if within_days is None:
        within_days = coverage_defaults().warning_days
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
