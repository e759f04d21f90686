"""Writes of technicians' proposals: made and withdrawn by the technician, approved or
rejected by a skill approver. Approving applies the change through skills/services.py, with the
approver as the history author and the proposer named in the change reason; until then the
technician's recorded skills, and so coverage, are untouched."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from core.files import unnamed_files_delete
from core.ownership import kept_by
from core.services import history_user
from skills.models import (
    Certification,
    Skill,
    SkillProposal,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
)
from skills.proposals.evidence import evidence_check
from skills.proposals.tasks import send_skill_proposal_decision, send_skill_proposals_digest
from skills.services import technician_certification_set, technician_skill_set

NOT_YOURS = "You cannot decide a proposal of your own: another skill approver decides it."


def user_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _refuse_kept(row) -> None:
    """A row a PSA connection keeps is changed there, not by a proposal."""
    keeper = kept_by(row) if row is not None else None
    if keeper is not None:
        raise ValidationError(f"{row} is managed by {keeper.name}: change it there.")


def _held_skill(technician: Technician, skill: Skill) -> TechnicianSkill | None:
    return TechnicianSkill.objects.filter(technician=technician, skill=skill).first()


def _held_certification(
    technician: Technician, certification: Certification
) -> TechnicianCertification | None:
    return TechnicianCertification.objects.filter(
        technician=technician, certification=certification
    ).first()


def _skill_kind(
    held: TechnicianSkill | None,
    *,
    level: int | None,
    oldest_version: SkillVersion | None,
    newest_version: SkillVersion | None,
) -> str:
    if held is None:
        return SkillProposal.Kind.NEW_SKILL
    if held.level != level:
        return SkillProposal.Kind.LEVEL_CHANGE
    if (held.oldest_version_id, held.newest_version_id) != (
        oldest_version.pk if oldest_version else None,
        newest_version.pk if newest_version else None,
    ):
        return SkillProposal.Kind.VERSION_RANGE
    raise ValidationError(
        f"{held.skill.name} is already recorded at level {held.level} for "
        f"{held.version_range}: propose a different level or version range."
    )


@transaction.atomic
def skill_proposal_create(
    *,
    technician: Technician,
    proposed_by,
    skill: Skill | None = None,
    level: int | None = None,
    oldest_version: SkillVersion | None = None,
    newest_version: SkillVersion | None = None,
    certification: Certification | None = None,
    earned_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
    note: str = "",
    evidence: UploadedFile | None = None,
) -> SkillProposal:
    """A pending proposal: a skill at a level (with its version range) or a certification
    earned, with an optional evidence file. Refused with a ValidationError when it changes
    nothing, when a connection keeps the row it would change, or when the evidence is not a
    PDF, PNG or JPEG of at most EVIDENCE_MAX_BYTES. The approvers hear of it in their next
    digest."""
    if (skill is None) == (certification is None):
        raise ValidationError("Propose either a skill or a certification.")
    proposal = SkillProposal(
        technician=technician,
        proposed_by=proposed_by,
        note=note,
        skill=skill,
        level=level,
        oldest_version=oldest_version,
        newest_version=newest_version,
        certification=certification,
        earned_on=earned_on,
        expires_on=expires_on,
    )
    if skill is not None:
        if level is None:
            raise ValidationError({"level": "Choose the level you now have."})
        held = _held_skill(technician, skill)
        _refuse_kept(held)
        proposal.kind = _skill_kind(
            held, level=level, oldest_version=oldest_version, newest_version=newest_version
        )
    else:
        if earned_on is None:
            raise ValidationError({"earned_on": "Give the day you earned the certification."})
        _refuse_kept(_held_certification(technician, certification))
        proposal.kind = SkillProposal.Kind.CERTIFICATION
    if evidence is not None:
        try:
            extension = evidence_check(evidence)
        except ValidationError as error:
            raise ValidationError({"evidence": error}) from None
        proposal.evidence_name = evidence.name
        proposal.evidence.save(f"{uuid.uuid4().hex}.{extension}", evidence, save=False)
    try:
        proposal.full_clean()
        _refuse_duplicate(proposal)
    except ValidationError:
        if proposal.evidence:
            proposal.evidence.delete(save=False)
        raise
    proposal.save()
    transaction.on_commit(send_skill_proposals_digest.delay)
    return proposal


def _refuse_duplicate(proposal: SkillProposal) -> None:
    pending = SkillProposal.objects.filter(
        technician=proposal.technician, state=SkillProposal.State.PENDING
    )
    if proposal.skill_id and pending.filter(skill=proposal.skill).exists():
        raise ValidationError(
            f"A proposal on {proposal.skill.name} is already waiting: withdraw it first."
        )
    if proposal.certification_id and pending.filter(certification=proposal.certification).exists():
        raise ValidationError(
            f"A proposal on {proposal.certification.name} is already waiting: withdraw it first."
        )


def _pending_locked(proposal: SkillProposal) -> SkillProposal:
    """The proposal's row, locked, still pending; else a ValidationError saying what it is."""
    locked = (
        SkillProposal.objects.select_for_update().select_related("technician").get(pk=proposal.pk)
    )
    if not locked.is_pending:
        raise ValidationError(
            f"This proposal is already {locked.get_state_display().lower()}: nothing to change."
        )
    return locked


@transaction.atomic
def skill_proposal_withdraw(*, proposal: SkillProposal) -> SkillProposal:
    """The technician takes back a pending proposal; it is kept, withdrawn."""
    proposal = _pending_locked(proposal)
    proposal.state = SkillProposal.State.WITHDRAWN
    proposal.save(update_fields=["state", "updated_at"])
    return proposal


def skill_proposal_apply(*, proposal: SkillProposal) -> TechnicianSkill | TechnicianCertification:
    """Write what `proposal` proposes through the skills services (the approval's part; the
    approvers' queue also runs it in a savepoint it rolls back, to see its effect)."""
    if proposal.kind == SkillProposal.Kind.CERTIFICATION:
        _refuse_kept(_held_certification(proposal.technician, proposal.certification))
        return technician_certification_set(
            technician=proposal.technician,
            certification=proposal.certification,
            earned_on=proposal.earned_on,
            expires_on=proposal.expires_on,
        )
    held = _held_skill(proposal.technician, proposal.skill)
    _refuse_kept(held)
    return technician_skill_set(
        technician=proposal.technician,
        skill=proposal.skill,
        level=proposal.level,
        oldest_version=proposal.oldest_version,
        newest_version=proposal.newest_version,
        last_used=held.last_used if held else None,
    )


def _decide(proposal: SkillProposal, *, approver, comment: str, state: str) -> SkillProposal:
    proposal = _pending_locked(proposal)
    if approver.pk in (proposal.technician.user_id, proposal.proposed_by_id):
        raise ValidationError(NOT_YOURS)
    proposal.state = state
    proposal.decided_by = approver
    proposal.decided_at = timezone.now()
    proposal.comment = comment
    with history_user(approver):
        proposal.full_clean()
        proposal.save()
    transaction.on_commit(lambda: send_skill_proposal_decision.delay(proposal.pk))
    return proposal


@transaction.atomic
def skill_proposal_approve(
    *, proposal: SkillProposal, approver, comment: str = ""
) -> SkillProposal:
    """Apply the proposal with `approver` as the history author and its proposer named as the
    reason, and record the decision. Refused (ValidationError) when it is not pending, when the
    approver is its technician or proposer, or when a connection now keeps the row."""
    proposal = _decide(
        proposal, approver=approver, comment=comment, state=SkillProposal.State.APPROVED
    )
    with history_user(approver, reason=f"Proposed by {user_name(proposal.proposed_by)}"):
        skill_proposal_apply(proposal=proposal)
    return proposal


@transaction.atomic
def skill_proposal_reject(*, proposal: SkillProposal, approver, comment: str = "") -> SkillProposal:
    """Record the refusal; the technician's skills stay as they are."""
    return _decide(proposal, approver=approver, comment=comment, state=SkillProposal.State.REJECTED)


def orphan_evidence_delete() -> list[str]:
    """Delete the evidence files older than a day that no proposal names (a request that failed
    after storing its file leaves one behind); the names deleted."""
    return unnamed_files_delete(SkillProposal, "evidence")
