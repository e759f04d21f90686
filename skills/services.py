import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.services import (
    NO_CHANGES,
    RowChanges,
    history_user,
    model_create,
    model_update,
    parent_with_rows_save,
)
from skills.models import (
    Certification,
    Skill,
    SkillAlias,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    TrainingGoal,
)

# ------------------------------------------------------------------------------ technicians


def technician_create(*, name: str, email: str, **fields: Any) -> Technician:
    """A new technician; `fields` are the model's other fields (status, available_until …)."""
    return model_create(model=Technician, fields={"name": name, "email": email, **fields})


def technician_update(*, technician: Technician, **fields: Any) -> Technician:
    return model_update(instance=technician, fields=fields)


@transaction.atomic
def technician_save(
    *,
    technician: Technician | None,
    fields: dict[str, Any],
    skills: RowChanges = NO_CHANGES,
    certifications: RowChanges = NO_CHANGES,
    assessed: bool = True,
) -> Technician:
    """Create or update a technician with their skills and certifications, all or nothing.

    A skill added or changed counts as assessed today unless `assessed` is False (a sync copies
    what another system holds; nobody judged it)."""
    if assessed:
        skills = _assessed_today(skills)
    return parent_with_rows_save(
        model=Technician,
        instance=technician,
        fields=fields,
        rows={TechnicianSkill: skills, TechnicianCertification: certifications},
    )


def _assessed_today(skills: RowChanges) -> RowChanges:
    today = {"assessed_on": timezone.localdate()}
    return RowChanges(
        added=[{**values, **today} for values in skills.added],
        changed=[(row, {**values, **today}) for row, values in skills.changed],
        removed=skills.removed,
    )


@transaction.atomic
def technician_skill_set(
    *,
    technician: Technician,
    skill: Skill,
    level: int,
    oldest_version: SkillVersion | None = None,
    newest_version: SkillVersion | None = None,
    last_used: datetime.date | None = None,
    assessed: bool = True,
) -> TechnicianSkill:
    """Record what a technician knows of a skill, replacing what was recorded before.

    It counts as assessed today (a consultant's edit, an approved proposal) unless `assessed` is
    False: a sync copies another system's data and leaves `assessed_on` as it was (today for a
    new row)."""
    technician_skill = (
        TechnicianSkill.objects.select_for_update()
        .filter(technician=technician, skill=skill)
        .first()
    ) or TechnicianSkill(technician=technician, skill=skill)
    technician_skill.level = level
    technician_skill.oldest_version = oldest_version
    technician_skill.newest_version = newest_version
    technician_skill.last_used = last_used
    if assessed:
        technician_skill.assessed_on = timezone.localdate()
    technician_skill.full_clean()
    technician_skill.save()
    return technician_skill


@transaction.atomic
def technician_skill_confirm(*, technician_skill: TechnicianSkill, user) -> TechnicianSkill:
    """ "Still accurate": the skill is assessed today and nothing else changes; its history
    names `user`."""
    with history_user(user):
        return model_update(instance=technician_skill, fields={"assessed_on": timezone.localdate()})


def technician_skill_remove(*, technician_skill: TechnicianSkill) -> None:
    technician_skill.delete()


def technician_certification_add(
    *, technician: Technician, certification: Certification, earned_on: datetime.date, **fields: Any
) -> TechnicianCertification:
    """Record a certification; without `expires_on` it expires after the usual validity."""
    return model_create(
        model=TechnicianCertification,
        fields={
            "technician": technician,
            "certification": certification,
            "earned_on": earned_on,
            **fields,
        },
    )


@transaction.atomic
def technician_certification_set(
    *,
    technician: Technician,
    certification: Certification,
    earned_on: datetime.date,
    expires_on: datetime.date | None = None,
) -> TechnicianCertification:
    """Record a certification, or renew it (new dates) when the technician already holds it."""
    held = (
        TechnicianCertification.objects.select_for_update()
        .filter(technician=technician, certification=certification)
        .first()
    )
    if held is None:
        return technician_certification_add(
            technician=technician,
            certification=certification,
            earned_on=earned_on,
            expires_on=expires_on,
        )
    return model_update(instance=held, fields={"earned_on": earned_on, "expires_on": expires_on})


# ------------------------------------------------------------------------------ the catalog

RANK_STEP = 10  # as the starter catalog steps its ranks: room to slot a version in between


@transaction.atomic
def skill_save(
    *,
    skill: Skill | None,
    fields: dict[str, Any],
    versions: RowChanges = NO_CHANGES,
    aliases: RowChanges = NO_CHANGES,
) -> Skill:
    """Create or update a product of the catalog with its versions and aliases, all or nothing.

    A new version without a rank goes after the newest one.
    """
    newest = 0 if skill is None else max(skill.versions.values_list("rank", flat=True), default=0)
    newest = max([newest, *(values["rank"] for _, values in versions.changed)])
    added = []
    for values in versions.added:
        if values.get("rank") is None:
            newest += RANK_STEP
            values = {**values, "rank": newest}
        newest = max(newest, values["rank"])
        added.append(values)
    versions = RowChanges(added=added, changed=versions.changed, removed=versions.removed)
    return parent_with_rows_save(
        model=Skill,
        instance=skill,
        fields=fields,
        rows={SkillVersion: versions, SkillAlias: aliases},
    )


# ------------------------------------------------------------------------------ aliases


def skill_alias_create(
    *, skill: Skill, pattern: str, version: SkillVersion | None = None
) -> SkillAlias:
    """Say that products named like `pattern` are `skill` (at `version`); spacing is tidied."""
    return model_create(
        model=SkillAlias,
        fields={"skill": skill, "pattern": " ".join(pattern.split()), "version": version},
    )


# ------------------------------------------------------------------------------ training goals


def training_goal_create(
    *, technician: Technician, due_date: datetime.date, **fields: Any
) -> TrainingGoal:
    """A goal of the plan of attack: `fields` name the skill (with target level and version)
    and/or the certification, and the reason and cost."""
    return model_create(
        model=TrainingGoal, fields={"technician": technician, "due_date": due_date, **fields}
    )


def _require_open(goal: TrainingGoal, action: str) -> None:
    if not goal.is_open:
        raise ValidationError(
            f"This goal is already {goal.get_status_display().lower()}; it cannot be {action}."
        )


def training_goal_update(*, goal: TrainingGoal, **fields: Any) -> TrainingGoal:
    """Change an open goal's target, due date, reason or cost."""
    _require_open(goal, "edited")
    return model_update(instance=goal, fields=fields)


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
    """Only the goal's own status; agreements/planning/services.py `training_goal_complete`
    records what was learned and recomputes coverage."""
    _require_open(goal, "marked done")
    goal.status = TrainingGoal.Status.DONE
    goal.completed_on = completed_on
    goal.full_clean()
    goal.save(update_fields=["status", "completed_on", "updated_at"])
    return goal
