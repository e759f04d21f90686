"""Reads of My skills and of proposals, each scoped to who asks: a technician reaches only their
own proposals; skill approvers and consultants (who keep everyone's skills) reach all."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Q, QuerySet, When
from django.shortcuts import get_object_or_404

from core.groups import DECIDE_PROPOSALS
from core.permissions import perm_name
from skills.models import OnCallRota, SkillProposal, Technician
from skills.team_time.selectors import RotaTurn, rota_members, rota_turns

DECIDE = ".".join(DECIDE_PROPOSALS)


def may_decide(user) -> bool:
    return user.has_perm(DECIDE)


def reaches_every_proposal(user) -> bool:
    """Skill approvers and consultants (who change technicians) see every proposal and its
    evidence; anyone else only their own."""
    return may_decide(user) or user.has_perm(perm_name(Technician, "change"))


def own_technician(user) -> Technician | None:
    """The technician `user` logs in as, if any."""
    if not user.is_authenticated:
        return None
    return Technician.objects.filter(user=user).first()


def proposals_visible_to(user) -> QuerySet[SkillProposal]:
    proposals = SkillProposal.objects.select_related(
        "technician",
        "proposed_by",
        "decided_by",
        "skill",
        "oldest_version",
        "newest_version",
        "certification",
    )
    if reaches_every_proposal(user):
        return proposals
    if not user.is_authenticated:
        return proposals.none()
    return proposals.filter(technician__user=user)


def proposal_get(*, user, pk: int) -> SkillProposal:
    return get_object_or_404(proposals_visible_to(user), pk=pk)


def own_proposal_get(*, user, pk: int) -> SkillProposal:
    """One of the user's own proposals (as its technician); 404 for anyone else's."""
    return get_object_or_404(proposals_visible_to(user).filter(technician__user=user), pk=pk)


PROPOSALS_SHOWN = 20  # the newest proposals on My skills


def technician_proposals(*, technician: Technician) -> list[SkillProposal]:
    """The technician's newest proposals, pending ones first."""
    proposals = SkillProposal.objects.filter(technician=technician).select_related(
        "decided_by", "skill", "oldest_version", "newest_version", "certification"
    )
    pending_first = proposals.order_by(
        Case(When(state=SkillProposal.State.PENDING, then=0), default=1), "-created_at", "-pk"
    )
    return list(pending_first[:PROPOSALS_SHOWN])


@dataclass(frozen=True)
class OwnTurn:
    rota: OnCallRota
    turn: RotaTurn
    covering: bool  # they hold part of someone else's turn


def technician_on_call_turns(*, technician: Technician, now: datetime.datetime) -> list[OwnTurn]:
    """The technician's on-call turns from `now` over the rotas' horizon, soonest first: their
    own turns and the parts of others' they cover."""
    rotas = OnCallRota.objects.filter(
        Q(members__technician=technician) | Q(overrides__technician=technician)
    ).distinct()
    turns = []
    for rota in rotas.order_by("name"):
        for turn in rota_turns(rota=rota, members=rota_members(rota=rota), now=now):
            covering = any(cover.technician_id == technician.pk for cover in turn.covers)
            if turn.technician_id == technician.pk or covering:
                turns.append(
                    OwnTurn(rota=rota, turn=turn, covering=turn.technician_id != technician.pk)
                )
    return sorted(turns, key=lambda own: own.turn.starts_at)


def pending_proposals(*, user) -> QuerySet[SkillProposal]:
    """The approvers' queue: pending proposals, oldest first."""
    return (
        proposals_visible_to(user)
        .filter(state=SkillProposal.State.PENDING)
        .order_by("created_at", "pk")
    )
