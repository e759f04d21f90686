"""A technician proposes, an approver decides from the queue: coverage counts only what is
approved, and history names both people."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck
from agreements.models import Agreement
from agreements.services import agreement_create
from core import groups
from core.ownership import Keeper, register
from skills.models import SkillProposal, TechnicianCertification, TechnicianSkill, TimeOff
from tests.agreements.factories import ServiceFactory
from tests.clients.factories import ClientFactory, ClientTechnologyFactory
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillProposalFactory,
    SkillVersionFactory,
    TechnicianSkillFactory,
)
from tests.skills.proposals.conftest import PDF, upload

NOON = datetime.datetime(2026, 6, 1, 16, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOON, tick=False)]


@pytest.fixture(autouse=True)
def one_technician_is_enough(settings):
    settings.COVERAGE_MIN_TECHNICIANS = 1


@pytest.fixture
def exchange_server():
    return SkillFactory(name="Exchange Server")


@pytest.fixture
def harlow(exchange_server):
    """Harlow & Pierce runs Exchange Server 2016 under Managed email ($25,000), which asks for
    level 4."""
    client = ClientFactory(name="Harlow & Pierce")
    version = SkillVersionFactory(skill=exchange_server, label="2016", rank=10)
    ClientTechnologyFactory(client=client, skill=exchange_server, version=version)
    email = ServiceFactory(name="Managed email", min_level=4)
    email.skills_in_scope.add(exchange_server)
    return agreement_create(
        client=client,
        title="Managed email",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("25000.00"),
        services=[email],
        status=Agreement.Status.ACTIVE,
    )


@pytest.fixture
def sams_exchange(sam, exchange_server):
    return TechnicianSkillFactory(technician=sam[1], skill=exchange_server, level=3)


def check() -> CoverageCheck:
    return coverage_check_run(day=NOON.date(), trigger=CoverageCheck.Trigger.MANUAL)


def propose_level(client, skill, level, *, evidence=None):
    data = {"skill": skill.pk, "level": str(level), "oldest_version": "", "newest_version": ""}
    if evidence is not None:
        data["evidence"] = evidence
    return client.post(reverse("skills:proposal_skill_create"), data)


def decide(client, proposals, decision, comment=""):
    return client.post(
        reverse("approvals:queue"),
        {"proposals": [p.pk for p in proposals], "decision": decision, "comment": comment},
        follow=True,
    )


def test_an_approved_level_counts_from_the_next_check_with_both_people_in_history(
    client, sam, approver, harlow, sams_exchange, exchange_server
):
    sam_user, sam_technician = sam
    assert check().uncovered_count == 1

    client.force_login(sam_user)
    response = propose_level(
        client, exchange_server, 4, evidence=upload("exchange-certificate.pdf", PDF)
    )
    assert response.status_code == 302
    proposal = SkillProposal.objects.get()
    assert proposal.kind == SkillProposal.Kind.LEVEL_CHANGE
    assert proposal.evidence_name == "exchange-certificate.pdf"

    # Pending: the recorded level and the check stay as they were.
    sams_exchange.refresh_from_db()
    assert sams_exchange.level == 3
    assert check().uncovered_count == 1

    client.force_login(approver)
    queue = client.get(reverse("approvals:queue"))
    [row] = queue.context["queued"]
    assert row.proposal == proposal
    assert row.impact == "This change resolves 1 flag on 1 agreement ($25,000) and opens none."
    assert row.now == "Level 3 (all versions)"
    # Working the impact out wrote nothing.
    sams_exchange.refresh_from_db()
    assert sams_exchange.level == 3
    assert sams_exchange.history.count() == 1

    response = decide(client, [proposal], "approve", comment="Certificate checked.")

    assert "Approved 1 proposal." in [str(m) for m in response.context["messages"]]
    proposal.refresh_from_db()
    assert proposal.state == SkillProposal.State.APPROVED
    assert (proposal.decided_by, proposal.comment) == (approver, "Certificate checked.")
    sams_exchange.refresh_from_db()
    assert sams_exchange.level == 4
    latest = sams_exchange.history.first()
    assert latest.history_user == approver
    assert latest.history_change_reason == "Proposed by Sam Okafor"
    assert check().uncovered_count == 0


def test_a_rejected_proposal_changes_nothing(
    client, sam, approver, harlow, sams_exchange, exchange_server
):
    proposal = SkillProposalFactory(
        technician=sam[1], skill=exchange_server, kind=SkillProposal.Kind.LEVEL_CHANGE
    )
    client.force_login(approver)

    decide(client, [proposal], "reject", comment="Needs the exam first.")

    proposal.refresh_from_db()
    assert proposal.state == SkillProposal.State.REJECTED
    assert proposal.comment == "Needs the exam first."
    sams_exchange.refresh_from_db()
    assert sams_exchange.level == 3
    assert sams_exchange.history.count() == 1
    assert check().uncovered_count == 1


def test_a_rejection_needs_a_comment(client, sam, approver, exchange_server):
    proposal = SkillProposalFactory(technician=sam[1], skill=exchange_server)
    client.force_login(approver)

    response = decide(client, [proposal], "reject")

    assert response.context["form"].errors["comment"] == [
        "Say why you reject: the technician receives it."
    ]
    proposal.refresh_from_db()
    assert proposal.is_pending


def test_many_proposals_are_approved_at_once(client, sam, lena, approver):
    proposals = [
        SkillProposalFactory(technician=sam[1]),
        SkillProposalFactory(technician=lena[1]),
    ]
    client.force_login(approver)

    response = decide(client, proposals, "approve")

    assert "Approved 2 proposals." in [str(m) for m in response.context["messages"]]
    assert TechnicianSkill.objects.filter(level=4).count() == 2


def test_a_technician_who_is_also_an_approver_cannot_approve_their_own(
    client, sam, lena, exchange_server
):
    sam_user, sam_technician = sam
    sam_user.groups.add(Group.objects.get(name=groups.SKILL_APPROVERS))
    own = SkillProposalFactory(technician=sam_technician, skill=exchange_server)
    lenas = SkillProposalFactory(technician=lena[1])
    client.force_login(sam_user)

    response = decide(client, [own, lenas], "approve")

    messages = [str(m) for m in response.context["messages"]]
    assert "Approved 1 proposal." in messages
    assert (
        "Sam Okafor, Exchange Server at level 4 (all versions): You cannot decide a proposal of "
        "your own: another skill approver decides it." in messages
    )
    own.refresh_from_db()
    assert own.is_pending
    assert not TechnicianSkill.objects.filter(technician=sam_technician).exists()


def test_a_technician_cannot_reach_the_queue_nor_decide(client, sam, lena):
    lenas = SkillProposalFactory(technician=lena[1])
    client.force_login(sam[0])

    assert client.get(reverse("approvals:queue")).status_code == 403
    assert decide(client, [lenas], "approve").status_code == 403
    lenas.refresh_from_db()
    assert lenas.is_pending


def test_a_technician_cannot_withdraw_anothers_proposal(client, sam, lena):
    lenas = SkillProposalFactory(technician=lena[1])
    client.force_login(sam[0])

    response = client.post(reverse("skills:proposal_withdraw", args=[lenas.pk]))

    assert response.status_code == 404
    lenas.refresh_from_db()
    assert lenas.is_pending


def test_a_technician_withdraws_their_own(client, sam):
    own = SkillProposalFactory(technician=sam[1])
    client.force_login(sam[0])

    response = client.post(reverse("skills:proposal_withdraw", args=[own.pk]))

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.state == SkillProposal.State.WITHDRAWN


def test_my_skills_lists_only_my_proposals(client, sam, lena):
    own = SkillProposalFactory(technician=sam[1])
    SkillProposalFactory(technician=lena[1])
    client.force_login(sam[0])

    response = client.get(reverse("skills:my_skills"))

    assert response.status_code == 200
    assert response.context["proposals"] == [own]
    assert response.context["technician"] == sam[1]


def test_a_proposal_on_a_skill_a_connection_keeps_is_refused(client, sam, sams_exchange):
    register(
        "test-psa",
        lambda row: (
            Keeper("ConnectWise PSA: Head office", frozenset({"level"}))
            if row == sams_exchange
            else None
        ),
    )
    client.force_login(sam[0])
    try:
        response = propose_level(client, sams_exchange.skill, 4)
    finally:
        register("test-psa", lambda row: None)

    assert response.context["form"].non_field_errors() == [
        "Sam Okafor – Exchange Server (level 3) is managed by ConnectWise PSA: Head office: "
        "change it there."
    ]
    assert not SkillProposal.objects.exists()


def test_time_off_a_technician_enters_counts_at_once_and_shows_to_approvers(client, sam, approver):
    client.force_login(sam[0])

    response = client.post(
        reverse("skills:time_off_create", args=[sam[1].pk]),
        {"first_day": "2026-06-10", "last_day": "2026-06-12", "kind": "vacation", "note": ""},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("skills:my_skills")
    entered = TimeOff.objects.get(technician=sam[1])
    client.force_login(approver)
    assert list(client.get(reverse("approvals:queue")).context["time_off"]) == [entered]


def test_a_technician_cannot_add_change_or_delete_anothers_time_off(client, sam, lena):
    lenas = TimeOff.objects.create(
        technician=lena[1],
        first_day=datetime.date(2026, 7, 1),
        last_day=datetime.date(2026, 7, 3),
    )
    client.force_login(sam[0])
    days = {"first_day": "2026-07-01", "last_day": "2026-07-09", "kind": "sick", "note": ""}

    added = client.post(reverse("skills:time_off_create", args=[lena[1].pk]), days)
    changed = client.post(reverse("skills:time_off_update", args=[lenas.pk]), days)
    deleted = client.post(reverse("skills:time_off_delete", args=[lenas.pk]))

    assert (added.status_code, changed.status_code, deleted.status_code) == (403, 403, 403)
    lenas.refresh_from_db()
    assert (lenas.last_day, lenas.kind) == (datetime.date(2026, 7, 3), "vacation")
    assert TimeOff.objects.count() == 1


def test_the_queue_says_what_a_certification_would_change_and_what_is_recorded(
    client, sam, approver
):
    proposal = SkillProposalFactory(
        technician=sam[1],
        kind=SkillProposal.Kind.CERTIFICATION,
        skill=None,
        level=None,
        certification=CertificationFactory(name="Cisco CCNA"),
        earned_on=datetime.date(2026, 5, 4),
    )
    client.force_login(approver)

    [row] = client.get(reverse("approvals:queue")).context["queued"]

    assert row.proposal == proposal
    assert row.now == "Not recorded"
    assert row.impact == "This change touches no active agreement's requirements."
    assert not TechnicianCertification.objects.exists()
