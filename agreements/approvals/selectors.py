import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet

from agreements.coverage.impact import ChangedData, agreements_touched, change_impact
from core.formatting import day_text
from skills.models import SkillProposal, TechnicianCertification, TechnicianSkill, TimeOff
from skills.proposals.services import skill_proposal_apply

TIME_OFF_SHOWN = 20  # upcoming time off technicians entered themselves, on the queue


@dataclass(frozen=True)
class QueuedProposal:
    proposal: SkillProposal
    now: str  # what is recorded today: "Level 3 (2016 – 2019)", "Not recorded"
    impact: str  # "This change resolves 1 flag on 1 agreement ($24,000) and opens none."


class _Undo(Exception):
    """Raised to roll the hypothetical application back, carrying what it found."""

    def __init__(self, impact: str):
        self.impact = impact


def proposal_impact(*, proposal: SkillProposal, day: datetime.date) -> str:
    """What approving `proposal` would do to coverage, in the words of a saved change's impact:
    the proposal is applied in a savepoint, the agreements it touches are evaluated, and the
    savepoint is rolled back (nothing it wrote, nor any task or mail it queued, survives)."""
    if proposal.kind == SkillProposal.Kind.CERTIFICATION:
        changes = ChangedData(certification_ids={proposal.certification_id})
    else:
        changes = ChangedData(skill_ids={proposal.skill_id})
    limit = settings.IMPACT_MAX_AGREEMENTS
    try:
        with transaction.atomic():
            skill_proposal_apply(proposal=proposal)
            touched = agreements_touched(changes, day=day, limit=limit + 1)
            text = str(change_impact(agreement_ids=touched[:limit], day=day))
            if len(touched) > limit:
                text += f" (the first {limit:,} agreements it touches; there are more)"
            raise _Undo(text)
    except _Undo as undone:
        return undone.impact
    except ValidationError as error:
        return "Cannot be applied: " + " ".join(error.messages)


def recorded_now(proposals) -> dict[int, str]:
    """{proposal id: what the technician's record holds today of its skill or certification}.
    Two queries."""
    proposals = list(proposals)
    technician_ids = {proposal.technician_id for proposal in proposals}
    skills = {
        (held.technician_id, held.skill_id): f"Level {held.level} ({held.version_range})"
        for held in TechnicianSkill.objects.filter(
            technician_id__in=technician_ids,
            skill_id__in={proposal.skill_id for proposal in proposals if proposal.skill_id},
        ).select_related("oldest_version", "newest_version")
    }
    certifications = {
        (held.technician_id, held.certification_id): "Earned "
        + day_text(held.earned_on)
        + (f", expires {day_text(held.expires_on)}" if held.expires_on else "")
        for held in TechnicianCertification.objects.filter(
            technician_id__in=technician_ids,
            certification_id__in={
                proposal.certification_id for proposal in proposals if proposal.certification_id
            },
        )
    }
    return {
        proposal.pk: (
            certifications.get((proposal.technician_id, proposal.certification_id))
            if proposal.certification_id
            else skills.get((proposal.technician_id, proposal.skill_id))
        )
        or "Not recorded"
        for proposal in proposals
    }


def queued_proposals(proposals, *, day: datetime.date) -> list[QueuedProposal]:
    proposals = list(proposals)
    now = recorded_now(proposals)
    return [
        QueuedProposal(
            proposal=proposal,
            now=now[proposal.pk],
            impact=proposal_impact(proposal=proposal, day=day),
        )
        for proposal in proposals
    ]


def time_off_entered_by_technicians(*, day: datetime.date) -> QuerySet[TimeOff]:
    """Time off not yet over that technicians recorded for themselves (it counts at once: it
    only removes coverage), newest first, for the approvers to see."""
    own_entries = TimeOff.history.filter(
        history_type="+", history_user_id=F("technician__user_id")
    ).values("id")
    return (
        TimeOff.objects.filter(last_day__gte=day, pk__in=own_entries)
        .select_related("technician")
        .order_by("-created_at")[:TIME_OFF_SHOWN]
    )
