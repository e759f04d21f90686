"""Approvers hear of proposals in a digest, at most one an hour; a technician hears of the
decision on theirs."""

import pytest
from django.conf import settings
from django.core.cache import cache

from core import groups
from skills.models import SkillProposal
from skills.proposals.mail import DIGEST_CLAIM_KEY, skill_proposal_decision_send
from skills.proposals.services import (
    skill_proposal_approve,
    skill_proposal_create,
    skill_proposal_reject,
)
from tests.conftest import make_user
from tests.skills.factories import SkillFactory, SkillProposalFactory

pytestmark = pytest.mark.django_db


def propose(sam, skill_name, *, commit):
    user, technician = sam
    with commit(execute=True):
        return skill_proposal_create(
            technician=technician, proposed_by=user, skill=SkillFactory(name=skill_name), level=3
        )


def test_the_first_proposal_is_mailed_to_the_approvers_at_once(
    sam, approver, mailoutbox, django_capture_on_commit_callbacks
):
    proposal = propose(sam, "Microsoft Intune", commit=django_capture_on_commit_callbacks)

    [mail] = mailoutbox
    assert mail.to == ["ada.approver@example.com"]
    assert mail.subject == "1 skill proposal waiting for approval"
    assert "Sam Okafor: New skill, Microsoft Intune at level 3 (all versions)" in mail.body
    assert f"{settings.SITE_URL}/approvals/" in mail.body
    html, _ = mail.alternatives[0]
    assert "<strong>Sam Okafor</strong>" in html
    proposal.refresh_from_db()
    assert proposal.approvers_told_at is not None


def test_proposals_within_the_hour_wait_for_the_next_digest_which_names_them_together(
    sam, approver, mailoutbox, django_capture_on_commit_callbacks
):
    propose(sam, "Microsoft Intune", commit=django_capture_on_commit_callbacks)
    propose(sam, "VMware vSphere", commit=django_capture_on_commit_callbacks)
    propose(sam, "Veeam Backup", commit=django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1

    cache.delete(DIGEST_CLAIM_KEY)  # the hour has passed: the claim expires in the cache
    propose(sam, "Fortinet FortiGate", commit=django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 2
    digest = mailoutbox[1]
    assert digest.subject == "3 skill proposals waiting for approval"
    for name in ("VMware vSphere", "Veeam Backup", "Fortinet FortiGate"):
        assert name in digest.body
    assert "Microsoft Intune" not in digest.body


def test_the_technician_is_mailed_the_decision_with_the_comment(
    sam, approver, mailoutbox, django_capture_on_commit_callbacks
):
    proposal = SkillProposalFactory(technician=sam[1], skill=SkillFactory(name="Exchange Server"))

    with django_capture_on_commit_callbacks(execute=True):
        skill_proposal_reject(proposal=proposal, approver=approver, comment="Take the exam first.")

    [mail] = mailoutbox
    assert mail.to == [sam[1].email]
    assert mail.subject == "Your proposal was rejected: Exchange Server at level 4 (all versions)"
    assert "Ada Quist rejected your proposal" in mail.body
    assert "Their comment: Take the exam first." in mail.body
    assert "counts for coverage" not in mail.body


def test_an_approval_is_mailed_once_however_often_the_task_runs(
    sam, approver, mailoutbox, django_capture_on_commit_callbacks
):
    proposal = SkillProposalFactory(technician=sam[1])
    with django_capture_on_commit_callbacks(execute=True):
        skill_proposal_approve(proposal=proposal, approver=approver)

    assert skill_proposal_decision_send(proposal_id=proposal.pk) is False
    [mail] = mailoutbox
    assert "approved your proposal" in mail.body
    assert "counts for coverage from the next check" in mail.body


def test_a_pending_proposal_mails_no_decision(sam, mailoutbox):
    proposal = SkillProposalFactory(technician=sam[1])

    assert skill_proposal_decision_send(proposal_id=proposal.pk) is False
    assert mailoutbox == []
    assert SkillProposal.objects.get().technician_told_at is None


def test_without_approvers_the_proposals_wait_for_the_first_one(
    sam, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    first = propose(sam, "Microsoft Intune", commit=django_capture_on_commit_callbacks)
    assert mailoutbox == []
    first.refresh_from_db()
    assert first.approvers_told_at is None

    make_user(django_user_model, "noor", group=groups.SKILL_APPROVERS)
    propose(sam, "VMware vSphere", commit=django_capture_on_commit_callbacks)

    [digest] = mailoutbox
    assert digest.to == ["noor@example.com"]
    assert "Microsoft Intune" in digest.body and "VMware vSphere" in digest.body
