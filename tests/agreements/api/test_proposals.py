"""Skill proposals over the API: a technician's token lists, creates and withdraws their own; a
skill approver's token decides; nobody reaches another technician's or decides their own."""

import datetime

import pytest
from django.contrib.auth.models import Group

from core import groups
from skills.models import SkillProposal, TechnicianSkill, TimeOff
from tests.skills.factories import SkillFactory, SkillProposalFactory
from tests.skills.proposals.conftest import PDF, approver, lena, private_media, sam, upload

__all__ = ["approver", "lena", "private_media", "sam"]

pytestmark = pytest.mark.django_db

URL = "/api/v1/skill-proposals/"


def test_a_technicians_token_lists_only_their_own(api, sam, lena):
    own = SkillProposalFactory(technician=sam[1])
    SkillProposalFactory(technician=lena[1])

    response = api(sam[0]).get(URL)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [own.pk]


def test_a_technicians_token_proposes_with_an_evidence_file(api, sam):
    exchange = SkillFactory(name="Exchange Server")

    response = api(sam[0]).post(
        URL,
        {"skill": exchange.pk, "level": 4, "evidence": upload("exchange.pdf", PDF)},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["kind"], body["technician"]) == ("pending", "new_skill", sam[1].pk)
    assert body["change"] == "Exchange Server at level 4 (all versions)"
    assert body["evidence_url"].endswith(f"/proposals/{body['id']}/evidence/")
    assert not TechnicianSkill.objects.exists()


def test_a_refused_evidence_file_answers_400_with_the_reason(api, sam):
    response = api(sam[0]).post(
        URL,
        {
            "skill": SkillFactory().pk,
            "level": 4,
            "evidence": upload("exchange.pdf", b"<html><script>alert(1)</script></html>"),
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert "is not a PDF, PNG or JPEG file" in response.json()["evidence"][0]
    assert not SkillProposal.objects.exists()


def test_a_technician_withdraws_their_own_but_not_anothers(api, sam, lena):
    own = SkillProposalFactory(technician=sam[1])
    lenas = SkillProposalFactory(technician=lena[1])
    client = api(sam[0])

    assert client.post(f"{URL}{own.pk}/withdraw/").json()["state"] == "withdrawn"
    assert client.post(f"{URL}{lenas.pk}/withdraw/").status_code == 404
    lenas.refresh_from_db()
    assert lenas.is_pending


def test_a_technicians_token_cannot_decide(api, sam, lena):
    lenas = SkillProposalFactory(technician=lena[1])

    response = api(sam[0]).post(f"{URL}{lenas.pk}/approve/", {"comment": "fine"})

    assert response.status_code in (403, 404)
    lenas.refresh_from_db()
    assert lenas.is_pending


def test_an_approvers_token_approves_with_a_comment(api, sam, approver):
    proposal = SkillProposalFactory(technician=sam[1])

    response = api(approver).post(f"{URL}{proposal.pk}/approve/", {"comment": "Checked."})

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["comment"]) == ("approved", "Checked.")
    assert response.json()["decided_by_name"] == "Ada Quist"
    held = TechnicianSkill.objects.get(technician=sam[1])
    assert held.level == 4
    assert held.history.first().history_user == approver


def test_an_approvers_token_rejects(api, sam, approver):
    proposal = SkillProposalFactory(technician=sam[1])

    response = api(approver).post(f"{URL}{proposal.pk}/reject/", {"comment": "Not yet."})

    assert response.json()["state"] == "rejected"
    assert not TechnicianSkill.objects.exists()


def test_an_approver_cannot_approve_their_own_over_the_api(api, sam):
    sam[0].groups.add(Group.objects.get(name=groups.SKILL_APPROVERS))
    own = SkillProposalFactory(technician=sam[1])

    response = api(sam[0]).post(f"{URL}{own.pk}/approve/")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "You cannot decide a proposal of your own: another skill approver decides it."
        ]
    }
    own.refresh_from_db()
    assert own.is_pending


def test_a_technicians_token_writes_only_their_own_time_off(api, sam, lena):
    client = api(sam[0])
    days = {"first_day": "2026-07-01", "last_day": "2026-07-02", "kind": "vacation"}

    own = client.post("/api/v1/time-off/", {"technician": sam[1].pk, **days}, format="json")
    others = client.post("/api/v1/time-off/", {"technician": lena[1].pk, **days}, format="json")
    lenas = TimeOff.objects.create(
        technician=lena[1], first_day=datetime.date(2026, 8, 1), last_day=datetime.date(2026, 8, 2)
    )
    changed = client.patch(f"/api/v1/time-off/{lenas.pk}/", {"kind": "sick"}, format="json")

    assert (own.status_code, others.status_code, changed.status_code) == (201, 403, 403)
    assert list(TimeOff.objects.values_list("technician", flat=True).order_by("pk")) == [
        sam[1].pk,
        lena[1].pk,
    ]
    lenas.refresh_from_db()
    assert lenas.kind == "vacation"
