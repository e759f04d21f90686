"""Reads behind the planning pages: the plan of attack, the "add to plan" choices and defaults,
and what completing a goal affects. Each runs a fixed number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q, Sum

from agreements.coverage import selectors as coverage_selectors
from agreements.coverage.checks import newest_check
from agreements.coverage.drafts_and_end_of_support import (
    migrations_needed,
    plan_due_date,
    presale_day,
)
from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.models import (
    CheckedEndOfSupport,
    CheckedProgramme,
    CheckedRequirement,
    CoverageFlag,
    ProgrammeStatus,
)
from agreements.models import Agreement, Requirement
from agreements.planning.gaps import Gap
from agreements.planning.models import PlannedRequirement
from clients.models import Client
from core.formatting import count_text, day_text
from core.permissions import visible_to
from skills.models import (
    Certification,
    Skill,
    SkillVersion,
    Technician,
    TechnicianSkill,
    TrainingGoal,
)
from skills.selectors import (
    baseline_plan_rows,
    technicians_without_baseline,
    training_goals_for_plan,
)

# A goal added from a gap or a flag is due this many days ahead unless the user says otherwise.
PLAN_HORIZON_DAYS = 90
CLOSED_GOALS_SHOWN = 30


def default_due_date(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=PLAN_HORIZON_DAYS)


# ------------------------------------------------------------------------------ the plan


GOALS_PER_PAGE = 25


def plan_sections(*, user, day: datetime.date, pages: dict | None = None) -> dict:
    """The plan of attack: one section per goal status; open goals a page at a time (`pages`
    maps a status to its page number), closed ones the latest CLOSED_GOALS_SHOWN; with how many
    are open and overdue. Two queries per section, two for the counts."""
    pages = pages or {}
    goals = visible_to(user, TrainingGoal)
    open_goals = goals.filter(status__in=TrainingGoal.OPEN_STATUSES)
    sections = []
    for status, label in TrainingGoal.Status.choices:
        of_status = training_goals_for_plan(goals.filter(status=status))
        if status in TrainingGoal.OPEN_STATUSES:
            page = Paginator(of_status, GOALS_PER_PAGE).get_page(pages.get(status))
            shown, total = list(page.object_list), page.paginator.count
        else:
            page = None
            shown = list(of_status.order_by("-updated_at", "-pk")[:CLOSED_GOALS_SHOWN])
            total = len(shown)
        rows = [
            {"goal": goal, "target": goal.target, "overdue": goal.is_open and goal.due_date < day}
            for goal in shown
        ]
        sections.append(
            {"status": status, "label": label, "rows": rows, "total": total, "page": page}
        )
    costs = dict(
        goals.order_by().values("status").annotate(total=Sum("cost")).values_list("status", "total")
    )
    open_rows = [row for section in sections for row in section["rows"] if row["goal"].is_open]
    flags_of = goal_flags([row["goal"] for row in open_rows])
    for section in sections:
        section["cost_total"] = costs.get(section["status"])
    for row in open_rows:
        row["flags"], row["planned_for"] = flags_of[row["goal"].pk]
        # Made for a requirement that no longer has an open flag: someone else covers it now.
        row["covered_elsewhere"] = row["planned_for"] is not None and not row["flags"]
    return {
        "sections": sections,
        "overdue_count": open_goals.filter(due_date__lt=day).count(),
        "open_count": open_goals.count(),
        "closed_limit": CLOSED_GOALS_SHOWN,
    }


FLAGS_SHOWN_PER_GOAL = 3


def goal_reaches(goal: TrainingGoal, requirement: Requirement) -> bool:
    """Whether reaching `goal` qualifies its technician for `requirement` as far as skills go:
    the same skill, a version the goal targets (a goal without a version targets any), and a
    level at least the requirement's."""
    return (
        goal.skill_id is not None
        and goal.skill_id == requirement.skill_id
        and (goal.target_level or 0) >= requirement.min_level
        and (
            requirement.version_id is None
            or goal.target_version_id is None
            or goal.target_version_id == requirement.version_id
        )
    )


def goal_flags(goals) -> dict[int, tuple[list[CoverageFlag], Requirement | None]]:
    """For each open goal, the open flags it should resolve (a few, most urgent first) and the
    requirement it was made for, if any. A goal made by "Add to plan" is matched to its
    requirement's flags; the others to the flags whose requirement `goal_reaches`. Two queries."""
    planned = {
        link.goal_id: link.requirement
        for link in PlannedRequirement.objects.filter(goal__in=goals).select_related("requirement")
    }
    skill_ids = {goal.skill_id for goal in goals if goal.skill_id and goal.pk not in planned}
    flags = (
        CoverageFlag.objects.filter(resolved_at__isnull=True)
        .filter(
            Q(requirement_id__in=[r.pk for r in planned.values()])
            | Q(requirement__skill_id__in=skill_ids)
        )
        .select_related("agreement", "requirement")
        .order_by("status", "first_detected_at", "pk")
        if goals
        else CoverageFlag.objects.none()
    )
    flags = list(flags)
    found = {}
    for goal in goals:
        requirement = planned.get(goal.pk)
        if requirement is not None:
            matched = [flag for flag in flags if flag.requirement_id == requirement.pk]
        else:
            matched = [
                flag
                for flag in flags
                if flag.requirement is not None and goal_reaches(goal, flag.requirement)
            ]
        found[goal.pk] = (matched[:FLAGS_SHOWN_PER_GOAL], requirement)
    return found


BASELINE_ROWS_PER_PAGE = 10


def baseline_gaps(*, user, day: datetime.date, page=1) -> dict:
    """A page of the technicians without a baseline certification and their planned goal, for
    the card on the gap and plan pages. Four queries: count, the technicians of the page, their
    open baseline goals, the baseline certifications."""
    technicians = technicians_without_baseline(day=day).filter(
        pk__in=visible_to(user, Technician).values("pk")
    )
    baseline_page = Paginator(technicians, BASELINE_ROWS_PER_PAGE).get_page(page)
    baseline = visible_to(user, Certification).filter(is_baseline=True).order_by("name")
    return {
        "baseline_page": baseline_page,
        "baseline_rows": baseline_plan_rows(baseline_page.object_list),
        "baseline_certification": baseline.first(),
        "due_default": default_due_date(day),
    }


# ------------------------------------------------------------------------------ add to plan


@dataclass(frozen=True)
class PlanChoices:
    """Option lists for the "Add to plan" forms, read once for every row of the gap page."""

    skills: list[tuple[int, str]]
    versions: dict[int, list[tuple[int, str]]]  # skill id -> [(version id, label)], oldest first
    certifications: list[tuple[int, str]]


def plan_choices(*, day: datetime.date) -> PlanChoices:
    """Three queries: skills, versions, certifications."""
    versions = defaultdict(list)
    for pk, skill_id, label in SkillVersion.objects.order_by("skill_id", "rank").values_list(
        "id", "skill_id", "label"
    ):
        versions[skill_id].append((pk, label))
    return PlanChoices(
        skills=list(Skill.objects.order_by("name").values_list("id", "name")),
        versions=dict(versions),
        certifications=list(Certification.objects.order_by("name").values_list("id", "name")),
    )


def gap_goal_defaults(gap: Gap, *, day: datetime.date) -> dict:
    """Sensible defaults for a gap's form: its weakest skill at the service's level."""
    weakest = gap.weakest_skill()
    initial = {
        "gap": gap.name,
        "due_date": default_due_date(day),
        "reason": _gap_reason(gap, weakest),
    }
    if weakest is not None:
        initial["skill"] = weakest.skill_id
        initial["target_level"] = weakest.min_level
        if weakest.uncovered_versions:
            initial["target_version"] = weakest.uncovered_versions[0].version_id
    return initial


def _gap_reason(gap: Gap, weakest) -> str:
    offered_by = f"{gap.competitor_count} competitor{'s' if gap.competitor_count != 1 else ''}"
    if not gap.we_offer:
        return f"Gap: {gap.name} is offered by {offered_by}; we do not offer it yet."[:255]
    if weakest is None:
        return f"Gap: {gap.name} is offered by {offered_by}."[:255]
    if weakest.uncovered_versions:
        versions = ", ".join(v.label for v in weakest.uncovered_versions)
        return (
            f"Gap: {gap.name} ({offered_by}); nobody supports {weakest.skill_name} "
            f"{versions} at level {weakest.min_level}."
        )[:255]
    return (
        f"Gap: {gap.name} ({offered_by}); {count_text(weakest.technician_count, 'technician')} at "
        f"{weakest.skill_name} level {weakest.min_level}+."
    )[:255]


# ------------------------------------------------------------------------------ completing a goal


def flags_by_client(flags) -> list[CoverageFlag]:
    return list(
        flags.select_related("agreement__client").order_by(
            "agreement__client__name", "requirement_label"
        )
    )


def _on_goal_target(goal: TrainingGoal, prefix: str = "") -> Q:
    """Rows on the goal's skill or certification; `prefix` leads to the requirement."""
    match = Q()
    if goal.skill_id:
        match |= Q(**{f"{prefix}skill_id": goal.skill_id})
    if goal.certification_id:
        match |= Q(**{f"{prefix}certification_id": goal.certification_id})
    return match


def affected_agreement_ids(*, goal: TrainingGoal, day: datetime.date) -> list[int]:
    """Agreements active on `day` with a requirement on the goal's skill or certification."""
    return sorted(
        set(
            Requirement.objects.filter(
                _on_goal_target(goal), agreement__in=Agreement.objects.active_on(day)
            )
            .order_by()
            .values_list("agreement_id", flat=True)
        )
    )


def open_flags_for_goal(*, goal: TrainingGoal) -> list[CoverageFlag]:
    """Open flags on a requirement for the goal's skill or certification. One query."""
    return flags_by_client(
        CoverageFlag.objects.filter(
            _on_goal_target(goal, prefix="requirement__"), resolved_at__isnull=True
        )
    )


def goal_current_skill(*, goal: TrainingGoal, user) -> TechnicianSkill | None:
    """What the goal's technician already knows of its skill, if it has one."""
    if not goal.skill_id:
        return None
    return (
        visible_to(user, TechnicianSkill)
        .select_related("oldest_version", "newest_version")
        .filter(technician=goal.technician, skill_id=goal.skill_id)
        .first()
    )


def goal_completion_defaults(goal: TrainingGoal, *, current_skill, day: datetime.date) -> dict:
    """Pre-fill with the goal's target: its level, and a version range that includes the
    target version (widening what the technician already knows)."""
    initial = {"earned_on": day}
    if goal.skill_id:
        oldest = current_skill.oldest_version if current_skill else None
        newest = current_skill.newest_version if current_skill else None
        target = goal.target_version
        if target is not None:
            if current_skill is None:
                oldest = newest = target
            else:
                if oldest is not None and oldest.rank > target.rank:
                    oldest = target
                if newest is not None and newest.rank < target.rank:
                    newest = target
        level = goal.target_level
        if current_skill is not None and current_skill.level > level:
            level = current_skill.level
        initial.update(
            level=level,
            oldest_version=oldest.pk if oldest else None,
            newest_version=newest.pk if newest else None,
        )
    return initial


def plan_prefill(*, user, requirement_id, day: datetime.date) -> dict:
    """ "Add to plan" from an uncovered or at-risk requirement: its skill, version, level and
    certification, its nearest candidate in the newest check, and a reason naming the agreement
    (given as "agreement" too, for the page). Two queries; nothing for a requirement the user
    cannot see. On a version out of support on `day` (a draft's pre-sale day), the version the
    client moves to instead, with its nearest candidate, evaluated for this one agreement."""
    requirement = (
        visible_to(user, Requirement)
        .select_related("agreement__client", "skill", "version", "certification")
        .filter(pk=requirement_id)
        .first()
    )
    if requirement is None:
        return {}
    if requirement.version is not None:
        agreement = requirement.agreement
        if agreement.status == Agreement.Status.DRAFT:
            day = presale_day(agreement.start_date, day)
        if requirement.version.out_of_support_on(day):
            return _migration_prefill(requirement, day=day)
    checked = (
        CheckedRequirement.objects.filter(requirement_id=requirement.pk)
        .order_by("-coverage_check_id")
        .only("candidates", "reason")
        .first()
    )
    candidates = checked.candidates if checked else []
    agreement = requirement.agreement
    reason = f"{requirement} for {agreement.client.name} ({agreement.reference})"
    return {
        "agreement": agreement,
        "requirement": requirement.pk,
        "gap": str(requirement)[:150],
        "skill": requirement.skill_id,
        "target_version": requirement.version_id,
        "target_level": requirement.min_level if requirement.skill_id else None,
        "certification": requirement.certification_id,
        "technicians": [candidates[0]["technician_id"]] if candidates else [],
        "reason": reason[:255],
    }


def _migration_prefill(requirement: Requirement, *, day: datetime.date) -> dict:
    """plan_prefill for a requirement whose version is out of support on `day`: the version
    moved to (none when no supported one exists) and its nearest candidate."""
    agreement = requirement.agreement
    result = evaluate_coverage(day=day, agreement_ids=[agreement.pk], as_if_active=True)
    migration = migrations_needed(result.agreements[0], day=day)[requirement.pk]
    move, target = migration.move, migration.target_coverage
    reason = (
        f"{agreement.client.name} runs {move.label}, out of support since "
        f"{day_text(move.end_of_support)} ({agreement.reference})"
    )
    prefill = {
        "agreement": agreement,
        "requirement": requirement.pk,
        "skill": requirement.skill_id,
        "target_level": requirement.min_level,
        "certification": requirement.certification_id,
        "technicians": [],
    }
    if target is None:  # no supported version to train for: the skill alone
        label = f"{move.skill_name} at level {requirement.min_level}+"
        return {**prefill, "gap": label[:150], "target_version": None, "reason": reason[:255]}
    return {
        **prefill,
        "gap": target.label[:150],
        "target_version": move.target_id,
        "technicians": [target.candidates[0].technician_id] if target.candidates else [],
        "reason": f"{move.target_label}: {reason}"[:255],
    }


def end_of_support_plan_prefill(*, user, row_id, day: datetime.date) -> dict:
    """ "Add to plan" for the version a client moves to: its skill, version and level, the
    nearest candidate the check found, due a quarter before the end of support (at once when it
    has passed). Nothing for a row of a client the user cannot see, nor when there is no
    supported version to move to: nothing proposes training on a version out of support."""
    row = CheckedEndOfSupport.objects.filter(
        pk=row_id, client__in=visible_to(user, Client).values("pk")
    ).first()
    if row is None or row.successor_id is None or not row.successor_supported:
        return {}
    if row.out_of_support:
        reason = f"{row.successor_label}: {row.client_name} {row.finding}"
    else:
        reason = (
            f"{row.successor_label} before {row.label} reaches end of support on "
            f"{day_text(row.end_of_support)} ({row.client_name})"
        )
    return {
        "gap": f"{row.successor_label} at level {row.min_level}+"[:150],
        "skill": row.skill_id,
        "target_version": row.successor_id,
        "target_level": row.min_level,
        "technicians": [row.candidates[0]["technician_id"]] if row.candidates else [],
        "due_date": plan_due_date(row.end_of_support, day),
        "reason": reason[:255],
    }


# ------------------------------------------------------------------------------ partner programmes


@dataclass(frozen=True)
class ProgrammeShortfall:
    """A programme the newest check found at risk or not met, and who is missing per rule."""

    result: CheckedProgramme
    missing: tuple[tuple[str, int], ...]  # (rule text, people missing)


def programmes_short() -> list[ProgrammeShortfall]:
    """The programmes at risk or not met in the newest check, worst first. Two queries."""
    rows = coverage_selectors.programme_results(newest_check()).exclude(status=ProgrammeStatus.MET)
    return [
        ProgrammeShortfall(
            result=row,
            missing=tuple(
                (rule["text"], rule["needed"] - rule["lasting"])
                for rule in row.rules
                if rule["needed"] > rule["lasting"]
            ),
        )
        for row in rows
    ]
