"""A technician's skill not assessed for SKILL_REVIEW_MONTHS is reminded to them once per review
period (DESIGN "Technicians keep their own skills")."""

import datetime

import pytest
import time_machine
from django.core import mail

from agreements.coverage.models import Reminder
from agreements.coverage.tasks import send_reminders
from skills.services import technician_skill_confirm
from tests.conftest import make_user
from tests.skills.factories import SkillFactory, TechnicianFactory, TechnicianSkillFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def on(day):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def dana_exchange():
    dana = TechnicianFactory(name="Dana Ortiz", email="dana@msp.example")
    return TechnicianSkillFactory(
        technician=dana,
        skill=SkillFactory(name="Exchange Server"),
        level=4,
        assessed_on=D(2025, 12, 6),
    )


def run_on(day):
    mail.outbox.clear()
    with on(day):
        send_reminders()
    return list(mail.outbox)


def test_no_reminder_before_twelve_months(dana_exchange):
    assert run_on(D(2026, 12, 5)) == []


def test_reminded_once_when_due_to_the_technician(dana_exchange):
    sent = run_on(D(2026, 12, 6))

    assert [message.to for message in sent] == [["dana@msp.example"]]
    assert sent[0].subject == "Skill due for review: Dana Ortiz's Exchange Server (level 4)"
    assert "last assessed on 6 Dec 2025 and is due for review" in sent[0].body
    assert run_on(D(2026, 12, 7)) == []
    assert run_on(D(2027, 3, 1)) == []
    reminder = Reminder.objects.get(kind=Reminder.Kind.SKILL_REVIEW)
    assert (reminder.object_id, reminder.deadline) == (dana_exchange.pk, D(2026, 12, 6))


def test_a_linked_login_receives_the_reminder(dana_exchange, django_user_model):
    user = make_user(django_user_model, "dana.ortiz")
    dana_exchange.technician.user = user
    dana_exchange.technician.save()

    sent = run_on(D(2026, 12, 6))

    assert [message.to for message in sent] == [["dana.ortiz@example.com"]]


def test_still_accurate_starts_a_new_period_reminded_once_again(dana_exchange, consultant):
    run_on(D(2026, 12, 6))
    with on(D(2026, 12, 10)):
        technician_skill_confirm(technician_skill=dana_exchange, user=consultant)

    assert run_on(D(2027, 12, 9)) == []
    assert len(run_on(D(2027, 12, 10))) == 1
    assert run_on(D(2027, 12, 11)) == []


def test_a_skill_confirmed_before_its_reminder_goes_out_is_not_reminded(dana_exchange, consultant):
    with on(D(2026, 12, 6)):
        technician_skill_confirm(technician_skill=dana_exchange, user=consultant)

    assert run_on(D(2026, 12, 6)) == []


def test_a_departed_technician_is_not_reminded(dana_exchange):
    dana_exchange.technician.status = "departed"
    dana_exchange.technician.save()

    assert run_on(D(2026, 12, 6)) == []
