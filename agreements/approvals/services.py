from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from skills.models import SkillProposal
from skills.proposals.services import skill_proposal_approve, skill_proposal_reject


@dataclass
class Decisions:
    decided: list[SkillProposal] = field(default_factory=list)
    refused: list[tuple[SkillProposal, str]] = field(default_factory=list)


def skill_proposals_decide(
    *, proposals: list[SkillProposal], approver, approve: bool, comment: str
) -> Decisions:
    """Approve or reject each of `proposals` with the one comment; each is decided on its own
    (in a savepoint), so one refused (the approver's own, one decided meanwhile) leaves the
    others decided, and says why."""
    decide = skill_proposal_approve if approve else skill_proposal_reject
    decisions = Decisions()
    for proposal in proposals:
        try:
            with transaction.atomic():
                decisions.decided.append(
                    decide(proposal=proposal, approver=approver, comment=comment)
                )
        except ValidationError as error:
            decisions.refused.append((proposal, " ".join(error.messages)))
    return decisions
