"""Completing a training goal: record what the technician learned, then recompute coverage.

Implements the last step of ../DESIGN "Gap analysis and plan of attack": the new skill level (and
version range) or certification goes on the technician through the skills services, the goal is
done, and the coverage flags are brought up to date so the consultant sees at once which flags
the training resolved.
"""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agreements.coverage import agreements_active_on, evaluate_coverage
from agreements.models import CoverageFlag, Requirement
from agreements.nightly import flags_sync
from skills.models import SkillVersion, TrainingGoal
from skills.services import technician_certification_set, technician_skill_set
from skills.training import training_goal_mark_done


def _stamp_history(instance, *, user: AbstractBaseUser | None, reason: str) -> None:
    """Name who recorded the change and why on the row's latest history entry."""
    record = instance.history.order_by("-history_date", "-history_id").first()
    if record is None:
        return
    record.history_user = user
    record.history_change_reason = reason[:100]
    record.save(update_fields=["history_user", "history_change_reason"])


def _on_goal_target(goal: TrainingGoal, prefix: str = "") -> Q:
    """Rows on the goal's skill or certification; `prefix` leads to the requirement."""
    match = Q()
    if goal.skill_id:
        match |= Q(**{f"{prefix}skill_id": goal.skill_id})
    if goal.certification_id:
        match |= Q(**{f"{prefix}certification_id": goal.certification_id})
    return match


def _flags_by_client(flags) -> list[CoverageFlag]:
    return list(
        flags.select_related("agreement__client").order_by(
            "agreement__client__name", "requirement_label"
        )
    )


def affected_agreement_ids(*, goal: TrainingGoal, day: datetime.date) -> list[int]:
    """Agreements active on `day` with a requirement on the goal's skill or certification."""
    return sorted(
        set(
            Requirement.objects.filter(
                _on_goal_target(goal), agreement__in=agreements_active_on(day)
            )
            .order_by()
            .values_list("agreement_id", flat=True)
        )
    )


def open_flags_for_goal(*, goal: TrainingGoal) -> list[CoverageFlag]:
    """Open flags on a requirement for the goal's skill or certification. One query."""
    return _flags_by_client(
        CoverageFlag.objects.filter(
            _on_goal_target(goal, prefix="requirement__"), resolved_at__isnull=True
        )
    )


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
    return _flags_by_client(CoverageFlag.objects.filter(pk__in=resolved_ids))
