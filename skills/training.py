"""The plan of attack: training goals for technicians (writes and the reads the plan page needs).

Completing a goal records the new skill or certification and recomputes coverage, which involves
agreements; that part lives in agreements/plan.py so this app keeps depending on nothing of ours.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from skills.models import Certification, Skill, SkillVersion, Technician, TrainingGoal


def training_goal_create(
    *,
    technician: Technician,
    skill: Skill | None = None,
    target_level: int | None = None,
    target_version: SkillVersion | None = None,
    certification: Certification | None = None,
    due_date: datetime.date,
    reason: str = "",
    cost: Decimal | None = None,
) -> TrainingGoal:
    goal = TrainingGoal(
        technician=technician,
        skill=skill,
        target_level=target_level,
        target_version=target_version,
        certification=certification,
        due_date=due_date,
        reason=reason,
        cost=cost,
    )
    goal.full_clean()
    goal.save()
    return goal


def _require_open(goal: TrainingGoal, action: str) -> None:
    if not goal.is_open:
        raise ValidationError(
            f"This goal is already {goal.get_status_display().lower()}; it cannot be {action}."
        )


def training_goal_start(*, goal: TrainingGoal) -> TrainingGoal:
    """Planned → in progress."""
    if goal.status == TrainingGoal.Status.IN_PROGRESS:
        raise ValidationError("This goal is already in progress.")
    _require_open(goal, "started")
    goal.status = TrainingGoal.Status.IN_PROGRESS
    goal.full_clean()
    goal.save(update_fields=["status", "updated_at"])
    return goal


def training_goal_cancel(*, goal: TrainingGoal) -> TrainingGoal:
    _require_open(goal, "cancelled")
    goal.status = TrainingGoal.Status.CANCELLED
    goal.full_clean()
    goal.save(update_fields=["status", "updated_at"])
    return goal


def training_goal_mark_done(*, goal: TrainingGoal, completed_on: datetime.date) -> TrainingGoal:
    """Only the goal's own status; agreements.plan.training_goal_complete does the whole step."""
    _require_open(goal, "marked done")
    goal.status = TrainingGoal.Status.DONE
    goal.completed_on = completed_on
    goal.full_clean()
    goal.save(update_fields=["status", "completed_on", "updated_at"])
    return goal


def training_goals_for_plan(goals: QuerySet[TrainingGoal]) -> QuerySet[TrainingGoal]:
    """The goals with what the plan page shows of them, in due-date order. One query."""
    return goals.select_related("technician", "skill", "target_version", "certification").order_by(
        "due_date", "technician__name", "pk"
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
