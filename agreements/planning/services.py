"""Writes of the planning pages: competitors and their offerings, and completing a training goal.

Completing a goal implements the last step of DESIGN "Gap analysis, plan of attack and looking
ahead": the new skill level (and version range) or certification goes on the technician through
the skills services, the goal is done, and the coverage flags are brought up to date so the
consultant sees at once which flags the training resolved.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from agreements.coverage.engine import RequirementCoverage, evaluate_coverage
from agreements.coverage.flags import flagged_requirements
from agreements.coverage.models import CoverageFlag
from agreements.coverage.tasks import run_coverage_check
from agreements.models import Requirement
from agreements.planning.models import Competitor, CompetitorOffering, PlannedRequirement
from agreements.planning.selectors import (
    affected_agreement_ids,
    flags_by_client,
    open_flags_for_goal,
)
from core.services import NO_CHANGES, RowChanges, model_create, parent_with_rows_save
from skills.models import SkillVersion, TrainingGoal
from skills.services import (
    technician_certification_set,
    technician_skill_set,
    training_goal_mark_done,
)

# ------------------------------------------------------------------------------ competitors


def competitor_create(*, name: str, **fields: Any) -> Competitor:
    return model_create(model=Competitor, fields={"name": name, **fields})


def competitor_offering_create(*, competitor: Competitor, **fields: Any) -> CompetitorOffering:
    """What a competitor offers: one of our services or a `name` of theirs, price, notes."""
    return model_create(model=CompetitorOffering, fields={"competitor": competitor, **fields})


@transaction.atomic
def competitor_save(
    *, competitor: Competitor | None, fields: dict[str, Any], offerings: RowChanges = NO_CHANGES
) -> Competitor:
    """Create or update a competitor together with its offerings, all or nothing."""
    return parent_with_rows_save(
        model=Competitor, instance=competitor, fields=fields, rows={CompetitorOffering: offerings}
    )


# ------------------------------------------------------------------------------ training goals


def _stamp_history(instance, *, user: AbstractBaseUser | None, reason: str) -> None:
    """Name who recorded the change and why on the row's latest history entry."""
    record = instance.history.order_by("-history_date", "-history_id").first()
    if record is None:
        return
    record.history_user = user
    record.history_change_reason = reason[:100]
    record.save(update_fields=["history_user", "history_change_reason"])


@dataclass(frozen=True)
class GoalOutcome:
    """What completing a goal does to coverage, as its affected agreements evaluate now."""

    resolving: list[CoverageFlag]  # open flags it resolves, with agreement and client
    still_open: list[tuple[CoverageFlag, RequirementCoverage]]  # flags on its target that stay


def training_goal_complete(
    *,
    goal: TrainingGoal,
    level: int | None = None,
    oldest_version: SkillVersion | None = None,
    newest_version: SkillVersion | None = None,
    earned_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
    user: AbstractBaseUser | None,
    now: datetime.datetime | None = None,
) -> GoalOutcome:
    """Record the goal's outcome on the technician, mark it done and queue a coverage check.

    `level` defaults to the goal's target level; `earned_on` to today. A certification the
    technician already holds is renewed (new dates) rather than added twice. Returns the open
    flags this resolves and those on the goal's target that stay open, found by evaluating
    only the agreements with a requirement on the goal's skill or certification, so that the
    request stays cheap. The check queued once the transaction commits resolves the flags for
    good (flags follow the newest check) and records it.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    reason = f"Training goal completed: {goal}"
    with transaction.atomic():
        if goal.skill_id:
            technician_skill = technician_skill_set(
                technician=goal.technician,
                skill=goal.skill,
                level=goal.target_level if level is None else level,
                oldest_version=oldest_version,
                newest_version=newest_version,
                last_used=today,
            )
            _stamp_history(technician_skill, user=user, reason=reason)
        if goal.certification_id:
            held = technician_certification_set(
                technician=goal.technician,
                certification=goal.certification,
                earned_on=earned_on or today,
                expires_on=expires_on,
            )
            _stamp_history(held, user=user, reason=reason)
        training_goal_mark_done(goal=goal, completed_on=today)
        affected = affected_agreement_ids(goal=goal, day=today)
        result = evaluate_coverage(day=today, agreement_ids=affected)
        still_flagged = {r.requirement_id: r for r in flagged_requirements(result)}
        run_coverage_check.delay_on_commit(user_id=user.pk if user else None)
    resolving = flags_by_client(
        CoverageFlag.objects.filter(resolved_at__isnull=True, agreement_id__in=affected).exclude(
            requirement_id__in=list(still_flagged)
        )
    )
    still_open = [
        (flag, still_flagged[flag.requirement_id])
        for flag in open_flags_for_goal(goal=goal)
        if flag.requirement_id in still_flagged
    ]
    return GoalOutcome(resolving=resolving, still_open=still_open)


def planned_requirement_link(*, goal: TrainingGoal, requirement: Requirement) -> PlannedRequirement:
    """Keep `goal` linked to the requirement it was made for (one requirement per goal)."""
    link, _ = PlannedRequirement.objects.update_or_create(
        goal=goal, defaults={"requirement": requirement}
    )
    return link
