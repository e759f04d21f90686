import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from core.services import model_update
from skills.models import (
    Certification,
    Skill,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
)


def technician_create(
    *,
    name: str,
    email: str,
    status: str = Technician.Status.ACTIVE,
    available_until: datetime.date | None = None,
    user: AbstractBaseUser | None = None,
    notes: str = "",
) -> Technician:
    technician = Technician(
        name=name,
        email=email,
        status=status,
        available_until=available_until,
        user=user,
        notes=notes,
    )
    technician.full_clean()
    technician.save()
    return technician


def technician_update(*, technician: Technician, **fields: Any) -> Technician:
    return model_update(instance=technician, fields=fields)


@transaction.atomic
def technician_skill_set(
    *,
    technician: Technician,
    skill: Skill,
    level: int,
    oldest_version: SkillVersion | None = None,
    newest_version: SkillVersion | None = None,
    last_used: datetime.date | None = None,
) -> TechnicianSkill:
    """Record what a technician knows of a skill, replacing what was recorded before."""
    technician_skill = (
        TechnicianSkill.objects.select_for_update()
        .filter(technician=technician, skill=skill)
        .first()
    ) or TechnicianSkill(technician=technician, skill=skill)
    technician_skill.level = level
    technician_skill.oldest_version = oldest_version
    technician_skill.newest_version = newest_version
    technician_skill.last_used = last_used
    technician_skill.full_clean()
    technician_skill.save()
    return technician_skill


def technician_skill_remove(*, technician_skill: TechnicianSkill) -> None:
    technician_skill.delete()


def technician_certification_add(
    *,
    technician: Technician,
    certification: Certification,
    earned_on: datetime.date,
    expires_on: datetime.date | None = None,
    credential_id: str = "",
) -> TechnicianCertification:
    """Record a certification; without `expires_on` it expires after the usual validity."""
    held = TechnicianCertification(
        technician=technician,
        certification=certification,
        earned_on=earned_on,
        expires_on=expires_on,
        credential_id=credential_id,
    )
    held.full_clean()
    held.save()
    return held


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
