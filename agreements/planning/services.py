"""Writes of the planning pages: competitors and their offerings, and completing a training goal.

Completing a goal implements the last step of DESIGN "Gap analysis, plan of attack and looking
ahead": the new skill level (and version range) or certification goes on the technician through
the skills services, the goal is done, and the coverage flags are brought up to date so the
consultant sees at once which flags the training resolved.
"""

import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.flags import flags_sync
from agreements.models import Competitor, CompetitorOffering, CoverageFlag
from agreements.planning.selectors import flags_by_client
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
) -> list[CoverageFlag]:
    """Record the goal's outcome on the technician, mark it done and sync the coverage flags.

    `level` defaults to the goal's target level; `earned_on` to today. A certification the
    technician already holds is renewed (new dates) rather than added twice. Returns the flags
    the recomputation resolved, with their agreement and client.

    The flags are synced from an evaluation of every active agreement, not only the affected
    ones: `flags_sync` resolves any open flag missing from the result it is given.
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

        result = evaluate_coverage(day=today)
        _, resolved_ids = flags_sync(result=result, now=now)
    return flags_by_client(CoverageFlag.objects.filter(pk__in=resolved_ids))
