import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet

from agreements.coverage.impact import ChangedData, agreements_touched, change_impact
from skills.models import SkillProposal, TimeOff
from skills.proposals.services import skill_proposal_apply

TIME_OFF_SHOWN = 20  # upcoming time off technicians entered themselves, on the queue


@dataclass(frozen=True)
class QueuedProposal:
    proposal: SkillProposal
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


def queued_proposals(proposals, *, day: datetime.date) -> list[QueuedProposal]:
    return [
        QueuedProposal(proposal=proposal, impact=proposal_impact(proposal=proposal, day=day))
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
