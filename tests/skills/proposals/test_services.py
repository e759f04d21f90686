"""Proposals are checked when made, so that an approval never meets a change it cannot apply."""

import pytest
from django.core.exceptions import ValidationError

from skills.models import SkillProposal
from skills.proposals.services import skill_proposal_create, skill_proposal_withdraw
from tests.skills.factories import (
    SkillFactory,
    SkillProposalFactory,
    SkillVersionFactory,
    TechnicianSkillFactory,
)

pytestmark = pytest.mark.django_db


def test_a_version_of_another_skill_is_refused(sam):
    exchange, windows = SkillFactory(name="Exchange Server"), SkillFactory(name="Windows Server")
    windows_2022 = SkillVersionFactory(skill=windows, label="2022")

    with pytest.raises(ValidationError) as refused:
        skill_proposal_create(
            technician=sam[1],
            proposed_by=sam[0],
            skill=exchange,
            level=3,
            oldest_version=windows_2022,
        )

    assert refused.value.message_dict["oldest_version"] == [
        "Version 2022 belongs to Windows Server, not Exchange Server."
    ]
    assert not SkillProposal.objects.exists()


def test_a_proposal_that_changes_nothing_is_refused(sam):
    held = TechnicianSkillFactory(technician=sam[1], level=3)

    with pytest.raises(ValidationError, match="already recorded at level 3"):
        skill_proposal_create(technician=sam[1], proposed_by=sam[0], skill=held.skill, level=3)


def test_a_second_pending_proposal_on_one_skill_is_refused(sam):
    first = SkillProposalFactory(technician=sam[1])

    with pytest.raises(ValidationError, match="already waiting: withdraw it first"):
        skill_proposal_create(technician=sam[1], proposed_by=sam[0], skill=first.skill, level=5)


def test_a_version_range_of_a_held_skill_at_its_level_is_a_version_range_proposal(sam):
    held = TechnicianSkillFactory(technician=sam[1], level=3)
    newest = SkillVersionFactory(skill=held.skill, label="2019")

    proposal = skill_proposal_create(
        technician=sam[1], proposed_by=sam[0], skill=held.skill, level=3, newest_version=newest
    )

    assert proposal.kind == SkillProposal.Kind.VERSION_RANGE


def test_a_decided_proposal_cannot_be_withdrawn(sam):
    proposal = SkillProposalFactory(technician=sam[1], state=SkillProposal.State.REJECTED)

    with pytest.raises(ValidationError, match="already rejected: nothing to change"):
        skill_proposal_withdraw(proposal=proposal)
