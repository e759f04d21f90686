"""My skills: what is recorded of the technician who logs in, and the links to change only
their own."""

import datetime

import pytest
from django.urls import reverse

from tests.skills.factories import SkillProposalFactory, TechnicianSkillFactory
from tests.skills.team_time.factories import (
    OnCallMemberFactory,
    OnCallOverrideFactory,
    OnCallRotaFactory,
)

pytestmark = pytest.mark.django_db


def test_my_skills_needs_a_linked_technician(client, consultant):
    client.force_login(consultant)

    assert client.get(reverse("skills:my_skills")).status_code == 404


def test_the_nav_shows_my_skills_to_a_technician_only(client, sam, consultant):
    client.force_login(sam[0])
    assert "My skills" in client.get(reverse("coverage:dashboard")).text

    client.force_login(consultant)
    assert "My skills" not in client.get(reverse("coverage:dashboard")).text


def test_a_technician_is_offered_to_add_time_off_on_their_own_page_only(client, sam, lena):
    client.force_login(sam[0])
    add_own = reverse("skills:time_off_create", args=[sam[1].pk])
    add_lenas = reverse("skills:time_off_create", args=[lena[1].pk])

    assert add_own in client.get(reverse("skills:technician_detail", args=[sam[1].pk])).text
    assert add_lenas not in client.get(reverse("skills:technician_detail", args=[lena[1].pk])).text
    assert add_own in client.get(reverse("skills:my_skills")).text


@pytest.mark.parametrize("proposals", [1, 12])
def test_my_skills_reads_the_same_number_of_queries_for_one_or_many_proposals(
    client, sam, django_assert_num_queries, proposals
):
    for _ in range(proposals):
        SkillProposalFactory(technician=sam[1])
    client.force_login(sam[0])
    client.get(reverse("skills:my_skills"))  # the session and permissions, cached after

    # session, user, savepoint, the technician, coverage settings, working hours, time off,
    # rotas, proposals, release, the user's and their groups' permissions, skills,
    # certifications, training goals, skills due for review
    with django_assert_num_queries(16):
        response = client.get(reverse("skills:my_skills"))

    assert len(response.context["proposals"]) == proposals


@pytest.mark.time_machine(datetime.datetime(2026, 6, 2, 12, tzinfo=datetime.UTC), tick=False)
def test_my_skills_lists_my_on_call_turns_and_the_part_i_cover(client, sam, lena):
    rota = OnCallRotaFactory(name="Out of hours")
    OnCallMemberFactory(rota=rota, technician=sam[1], position=0)
    OnCallMemberFactory(rota=rota, technician=lena[1], position=1)
    # Sam covers a night of Lena's week (8 – 15 June).
    OnCallOverrideFactory(
        rota=rota,
        technician=sam[1],
        starts_at=datetime.datetime(2026, 6, 10, 22, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 6, 11, 13, tzinfo=datetime.UTC),
    )
    client.force_login(sam[0])

    turns = client.get(reverse("skills:my_skills")).context["on_call"]

    own = [turn for turn in turns if not turn.covering]
    covering = [turn for turn in turns if turn.covering]
    assert own[0].turn.starts_at == datetime.datetime(2026, 6, 1, 13, tzinfo=datetime.UTC)
    assert own[0].turn.is_current
    assert all(turn.turn.technician_id == sam[1].pk for turn in own)
    assert [turn.turn.technician_name for turn in covering] == ["Lena Brandt"]


REVIEW_DAY = datetime.datetime(2026, 6, 2, 12, tzinfo=datetime.UTC)


@pytest.mark.time_machine(REVIEW_DAY, tick=False)
def test_a_skill_not_assessed_for_a_year_is_due_and_still_accurate_resets_it(client, sam):
    stale = TechnicianSkillFactory(technician=sam[1], assessed_on=datetime.date(2025, 5, 1))
    TechnicianSkillFactory(technician=sam[1], assessed_on=datetime.date(2026, 1, 10))
    client.force_login(sam[0])

    page = client.get(reverse("skills:my_skills"))
    assert list(page.context["skills_due"]) == [stale]
    assert "Due for review" in page.text

    response = client.post(reverse("skills:my_skill_confirm", args=[stale.pk]))

    assert response.status_code == 302
    stale.refresh_from_db()
    assert stale.assessed_on == REVIEW_DAY.date()
    assert stale.history.first().history_user == sam[0]
    assert list(client.get(reverse("skills:my_skills")).context["skills_due"]) == []


@pytest.mark.time_machine(REVIEW_DAY, tick=False)
def test_a_technician_cannot_confirm_anothers_skill(client, sam, lena):
    lenas = TechnicianSkillFactory(technician=lena[1], assessed_on=datetime.date(2025, 5, 1))
    client.force_login(sam[0])

    response = client.post(reverse("skills:my_skill_confirm", args=[lenas.pk]))

    assert response.status_code == 404
    lenas.refresh_from_db()
    assert lenas.assessed_on == datetime.date(2025, 5, 1)
