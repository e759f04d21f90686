import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.services import RowChanges
from skills.models import TechnicianSkill
from skills.selectors import skills_due_for_review
from skills.services import technician_save, technician_skill_confirm, technician_skill_set
from tests.skills.factories import SkillFactory, TechnicianFactory, TechnicianSkillFactory

pytestmark = pytest.mark.django_db

ASSESSED = datetime.date(2025, 12, 6)
NOON = datetime.datetime(2025, 12, 6, 12, tzinfo=datetime.UTC)


def travel_to(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(12), datetime.UTC))


def test_a_skill_is_not_due_one_day_before_twelve_months():
    skill = TechnicianSkillFactory(assessed_on=ASSESSED)

    assert skill not in skills_due_for_review(day=datetime.date(2026, 12, 5))
    assert not skill.is_due_for_review(datetime.date(2026, 12, 5))


def test_a_skill_is_due_twelve_months_after_its_assessment():
    skill = TechnicianSkillFactory(assessed_on=ASSESSED)

    assert list(skills_due_for_review(day=datetime.date(2026, 12, 6))) == [skill]
    assert skill.is_due_for_review(datetime.date(2026, 12, 6))


def test_the_review_period_follows_the_setting(settings):
    settings.SKILL_REVIEW_MONTHS = 6
    skill = TechnicianSkillFactory(assessed_on=ASSESSED)

    assert list(skills_due_for_review(day=datetime.date(2026, 6, 6))) == [skill]


def test_skills_due_of_one_technician_only():
    own = TechnicianSkillFactory(assessed_on=ASSESSED)
    TechnicianSkillFactory(assessed_on=ASSESSED)

    due = skills_due_for_review(own.technician, day=datetime.date(2027, 1, 1))

    assert list(due) == [own]


def test_a_departed_technicians_skills_are_not_due():
    TechnicianSkillFactory(assessed_on=ASSESSED, technician=TechnicianFactory(status="departed"))

    assert not skills_due_for_review(day=datetime.date(2027, 1, 1)).exists()


def test_still_accurate_resets_the_review_and_changes_nothing_else(consultant):
    skill = TechnicianSkillFactory(assessed_on=ASSESSED, level=4)
    day = datetime.date(2027, 1, 10)

    with travel_to(day):
        technician_skill_confirm(technician_skill=skill, user=consultant)

    skill.refresh_from_db()
    assert (skill.assessed_on, skill.level) == (day, 4)
    assert not skills_due_for_review(day=day).exists()
    newest = skill.history.first()
    assert (newest.history_user, newest.level) == (consultant, 4)


def test_a_consultants_edit_counts_as_an_assessment():
    skill = TechnicianSkillFactory(assessed_on=ASSESSED, level=2)
    day = datetime.date(2027, 1, 10)

    with travel_to(day):
        technician_skill_set(technician=skill.technician, skill=skill.skill, level=3)

    skill.refresh_from_db()
    assert skill.assessed_on == day


def test_a_sync_does_not_change_when_a_skill_was_assessed():
    skill = TechnicianSkillFactory(assessed_on=ASSESSED, level=2)

    with travel_to(datetime.date(2027, 1, 10)):
        technician_skill_set(
            technician=skill.technician, skill=skill.skill, level=3, assessed=False
        )

    skill.refresh_from_db()
    assert (skill.level, skill.assessed_on) == (3, ASSESSED)


def test_saving_a_technician_assesses_the_skill_rows_it_changes():
    changed = TechnicianSkillFactory(assessed_on=ASSESSED, level=2)
    untouched = TechnicianSkillFactory(assessed_on=ASSESSED, technician=changed.technician, level=2)
    day = datetime.date(2027, 1, 10)

    with travel_to(day):
        technician_save(
            technician=changed.technician,
            fields={},
            skills=RowChanges(
                changed=[(changed, {"level": 3})],
                added=[{"skill": SkillFactory(), "level": 1}],
            ),
        )

    assessed = dict(
        TechnicianSkill.objects.filter(technician=changed.technician).values_list(
            "pk", "assessed_on"
        )
    )
    assert assessed.pop(changed.pk) == day
    assert assessed.pop(untouched.pk) == ASSESSED
    assert list(assessed.values()) == [day]


def test_a_new_skill_is_assessed_today():
    with time_machine.travel(NOON):
        skill = TechnicianSkillFactory()

    assert skill.assessed_on == timezone.localdate(NOON)


@pytest.fixture
def due_skill():
    return TechnicianSkillFactory(
        assessed_on=ASSESSED,
        level=4,
        skill=SkillFactory(name="Exchange Server"),
        technician=TechnicianFactory(name="Jade Okafor"),
    )


@pytest.mark.time_machine(datetime.datetime(2027, 1, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_the_technician_page_lists_skills_due_for_review(consultant_client, due_skill):
    TechnicianSkillFactory(technician=due_skill.technician, skill=SkillFactory(name="Intune"))

    page = consultant_client.get(
        reverse("skills:technician_detail", args=[due_skill.technician_id])
    )

    assert [held.skill.name for held in page.context["skills_due"]] == ["Exchange Server"]
    assert reverse("skills:technician_skill_confirm", args=[due_skill.pk]) in page.content.decode()


@pytest.mark.time_machine(datetime.datetime(2027, 1, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_a_consultant_confirms_a_skill_still_accurate(consultant_client, due_skill):
    url = reverse("skills:technician_skill_confirm", args=[due_skill.pk])

    asked = consultant_client.get(url)
    response = consultant_client.post(url)

    assert "Is Jade Okafor's Exchange Server still accurate?" in asked.content.decode()
    assert response.status_code == 302
    due_skill.refresh_from_db()
    assert due_skill.assessed_on == datetime.date(2027, 1, 10)
    page = consultant_client.get(response.url)
    assert page.context["skills_due"] == []
    assert [str(message) for message in page.context["messages"]] == [
        "Confirmed Jade Okafor's Exchange Server at level 4 as still accurate."
    ]


def test_a_viewer_cannot_confirm_a_skill(viewer_client, due_skill):
    response = viewer_client.post(reverse("skills:technician_skill_confirm", args=[due_skill.pk]))

    assert response.status_code == 403
    due_skill.refresh_from_db()
    assert due_skill.assessed_on == ASSESSED


def test_confirming_an_unknown_skill_is_not_found(consultant_client):
    response = consultant_client.post(reverse("skills:technician_skill_confirm", args=[987654]))

    assert response.status_code == 404
