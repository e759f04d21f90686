"""Reminders before notice deadlines, certification expiries and training goals' due dates
(DESIGN "Agreement terms, renewals and reminders"), followed day by day across months."""

import datetime
from collections import defaultdict

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agreements.coverage.models import Reminder
from agreements.coverage.reminders import reminder_send, reminders_queue
from agreements.coverage.tasks import send_reminders
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.conftest import add_recipient, make_user
from tests.skills.factories import (
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
    TrainingGoalFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def at_seven(day):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=datetime.UTC), tick=False
    )


def days(first, last):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


@pytest.fixture
def deadlines(django_user_model):
    """Notice by 1 May 2027 (Priya owns the agreement), Dana's certification expires on
    15 Apr 2027, Dana's training goal is due on 1 Mar 2027; Rachel receives the report."""
    with at_seven(D(2026, 11, 30)):
        owner = make_user(django_user_model, "priya.shah")
        agreement = AgreementFactory(
            start_date=D(2026, 7, 1),
            end_date=D(2027, 6, 30),
            auto_renew=True,
            notice_days=60,
            owner=owner,
        )
        dana = TechnicianFactory(name="Dana Ortiz", email="dana@msp.example")
        held = TechnicianCertificationFactory(technician=dana, expires_on=D(2027, 4, 15))
        goal = TrainingGoalFactory(technician=dana, due_date=D(2027, 3, 1))
        add_recipient(django_user_model, "rachel")
    return {"agreement": agreement, "held": held, "goal": goal, "owner": owner}


def follow(first, last):
    """Run the daily job on every day from `first` to `last`: {(kind, recipient): [days sent]}."""
    already = set(Reminder.objects.filter(status="sent").values_list("pk", flat=True))
    mail.outbox.clear()
    for day in days(first, last):
        with at_seven(day):
            send_reminders()
    sent = defaultdict(list)
    for reminder in Reminder.objects.filter(status="sent").exclude(pk__in=already):
        sent[(reminder.kind, reminder.recipient)].append(timezone.localdate(reminder.sent_at))
    assert len(mail.outbox) == sum(len(dates) for dates in sent.values())
    return {key: sorted(dates) for key, dates in sent.items()}


def test_each_lead_time_fires_once_on_its_day_to_the_right_people(deadlines):
    sent = follow(D(2026, 12, 1), D(2027, 11, 30))  # a year

    assert sent == {
        ("notice", "priya.shah@example.com"): [D(2027, 1, 31), D(2027, 4, 1), D(2027, 4, 24)],
        ("certification", "dana@msp.example"): [D(2027, 1, 15), D(2027, 3, 16), D(2027, 4, 8)],
        ("certification", "rachel@msp.example"): [D(2027, 1, 15), D(2027, 3, 16), D(2027, 4, 8)],
        ("goal", "dana@msp.example"): [D(2026, 12, 1), D(2027, 1, 30), D(2027, 2, 22)],
    }


def test_running_the_job_again_the_same_day_sends_nothing_more(deadlines):
    with at_seven(D(2027, 1, 31)):
        send_reminders()
        first = len(mail.outbox)
        send_reminders()

    # The notice's 90-day reminder, and those the job had not run for yet (catching up).
    assert first == 4
    assert len(mail.outbox) == first


def test_a_renewed_certification_is_not_reminded_for_its_old_expiry(deadlines):
    follow(D(2027, 1, 15), D(2027, 1, 15))  # the 90-day reminder
    held = deadlines["held"]
    held.expires_on = D(2029, 4, 15)
    held.save()

    sent = follow(D(2027, 1, 16), D(2027, 4, 15))

    assert not [key for key in sent if key[0] == "certification"]


def test_a_reminder_claimed_before_its_deadline_moved_is_skipped(deadlines):
    with at_seven(D(2027, 3, 16)):
        reminders_queue(day=D(2027, 3, 16))
        claimed = Reminder.objects.get(
            kind="certification", recipient="dana@msp.example", status="pending"
        )
        held = deadlines["held"]
        held.expires_on = D(2029, 4, 15)
        held.save()

        assert reminder_send(reminder_id=claimed.pk) == Reminder.Status.SKIPPED
    assert mail.outbox == []


def test_a_deadline_close_at_hand_gets_only_its_shortest_lead_time(django_user_model):
    with at_seven(D(2027, 1, 1)):
        TrainingGoalFactory(
            technician=TechnicianFactory(email="lee@msp.example"), due_date=D(2027, 1, 20)
        )
        send_reminders()

    reminders = Reminder.objects.order_by("lead_days")
    assert [(r.lead_days, r.status) for r in reminders] == [(30, "sent"), (90, "skipped")]
    assert len(mail.outbox) == 1


def test_without_an_owner_the_account_manager_then_the_report_recipients_hear(
    django_user_model,
):
    add_recipient(django_user_model, "rachel")
    with at_seven(D(2027, 3, 1)):
        AgreementFactory(end_date=D(2027, 5, 31), notice_days=60)  # notice by 1 Apr
        send_reminders()

    assert [message.to for message in mail.outbox] == [["rachel@msp.example"]]


def test_smtp_down_is_retried_and_sends_one_message(deadlines, settings):
    with at_seven(D(2027, 1, 31)):
        reminders_queue(day=D(2027, 1, 31))
        reminder_id = Reminder.objects.get(kind="notice").pk
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
        with pytest.raises(OSError):
            reminder_send(reminder_id=reminder_id, final_attempt=False)
        failed = Reminder.objects.get(pk=reminder_id)
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        status = reminder_send(reminder_id=reminder_id)
        again = reminder_send(reminder_id=reminder_id)

    assert (failed.status, failed.attempts, bool(failed.last_error)) == ("pending", 1, True)
    assert (status, again) == ("sent", "sent")
    assert len(mail.outbox) == 1
    assert Reminder.objects.get(pk=reminder_id).last_error == ""


def test_a_notice_reminder_starts_with_a_lapse_before_the_end_of_the_next_term(deadlines):
    agreement = deadlines["agreement"]
    with at_seven(D(2027, 1, 31)):
        requirement = RequirementFactory(agreement=agreement, min_technicians=1)
        leaving = TechnicianFactory(name="Sam Lee", available_until=D(2027, 9, 30))
        TechnicianSkillFactory(technician=leaving, skill=requirement.skill, level=4)
        send_reminders()

    (message,) = [message for message in mail.outbox if message.subject.startswith("Notice")]
    first_line = message.body.splitlines()[0]
    assert "Coverage lapses on 1 Oct 2027: Sam Lee's last day is 30 Sep 2027" in first_line
    assert "30 Jun 2028, the end of the next term" in first_line
    assert "the last day to give notice is 1 May 2027" in message.body


def test_a_user_who_opted_out_of_a_kind_is_not_reminded_of_it(deadlines, client):
    rachel = Reminder._meta.get_field("user").related_model.objects.get(username="rachel")
    client.force_login(rachel)

    page = client.post(
        reverse("coverage:notifications"), {"action": "reminders", "kinds": ["notice", "goal"]}
    )
    sent = follow(D(2027, 1, 15), D(2027, 1, 15))  # the certification's 90-day reminders

    assert page.status_code == 302
    assert sent[("certification", "dana@msp.example")] == [D(2027, 1, 15)]
    assert ("certification", "rachel@msp.example") not in sent
    options = client.get(reverse("coverage:notifications")).context["reminder_kinds"]
    assert [(kind, receives) for kind, _, receives in options] == [
        ("notice", True),
        ("certification", False),
        ("goal", True),
        ("on_call", False),
        ("skill_review", False),
    ]


# ------------------------------------------------------------------------------ on-call turns


@pytest.fixture
def nights():
    """A weekly rota handing off on Mondays at 17:00 Chicago time, from 4 Jan 2027: Dana's
    turns are the even ones, Sam's the odd ones."""
    from skills.models import OnCallMember, OnCallRota

    with at_seven(D(2026, 12, 1)):
        rota = OnCallRota.objects.create(
            name="Nights",
            time_zone="America/Chicago",
            starts_at=datetime.datetime(2027, 1, 4, 23, tzinfo=datetime.UTC),
            rotation_days=7,
        )
        dana = TechnicianFactory(name="Dana Ortiz", email="dana@msp.example")
        sam = TechnicianFactory(name="Sam Lee", email="sam@msp.example")
        OnCallMember.objects.create(rota=rota, technician=dana, position=0)
        OnCallMember.objects.create(rota=rota, technician=sam, position=1)
    return {"rota": rota, "dana": dana, "sam": sam}


def test_a_technician_hears_of_each_turn_a_week_before_it_starts(nights):
    sent = follow(D(2026, 12, 20), D(2027, 1, 31))

    assert sent == {
        ("on_call", "dana@msp.example"): [D(2026, 12, 28), D(2027, 1, 11), D(2027, 1, 25)],
        ("on_call", "sam@msp.example"): [D(2027, 1, 4), D(2027, 1, 18)],
    }
    first = mail.outbox[0]
    assert first.to == ["dana@msp.example"]
    assert first.subject == "On call from 4 Jan 2027 17:00 (America/Chicago): Nights, Dana Ortiz"
    assert (
        "Dana Ortiz, your turn on the Nights on-call rota starts on 4 Jan 2027 17:00 and ends on "
        "11 Jan 2027 17:00 (America/Chicago time)." in first.body
    )
    assert "Mon–Fri 17:00–24:00" in first.body
    assert "You get this reminder 7 days before the turn starts." in first.body


def test_a_turn_is_reminded_once_however_often_the_job_runs(nights):
    with at_seven(D(2026, 12, 28)):
        send_reminders()
        send_reminders()

    assert [message.to for message in mail.outbox] == [["dana@msp.example"]]
    assert Reminder.objects.get().lead_days == 7


def test_the_technician_covering_the_start_of_a_turn_hears_of_it(nights):
    from skills.models import OnCallOverride

    OnCallOverride.objects.create(
        rota=nights["rota"],
        technician=nights["sam"],
        starts_at=datetime.datetime(2027, 1, 4, 23, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2027, 1, 6, 23, tzinfo=datetime.UTC),
    )

    sent = follow(D(2026, 12, 28), D(2026, 12, 28))

    assert sent == {("on_call", "sam@msp.example"): [D(2026, 12, 28)]}


def test_a_turn_swapped_after_the_claim_is_not_reminded_to_the_old_technician(nights):
    from skills.models import OnCallOverride

    with at_seven(D(2026, 12, 28)):
        reminders_queue(day=D(2026, 12, 28))
        claimed = Reminder.objects.get(kind="on_call")
        OnCallOverride.objects.create(
            rota=nights["rota"],
            technician=nights["sam"],
            starts_at=datetime.datetime(2027, 1, 4, 23, tzinfo=datetime.UTC),
            ends_at=datetime.datetime(2027, 1, 11, 23, tzinfo=datetime.UTC),
        )

        assert reminder_send(reminder_id=claimed.pk) == Reminder.Status.SKIPPED
    assert mail.outbox == []


def test_a_technician_who_opted_out_of_on_call_reminders_hears_nothing(nights, django_user_model):
    from agreements.coverage.reminders import reminder_kinds_set

    user = make_user(django_user_model, "dana.ortiz")
    nights["dana"].user = user
    nights["dana"].save()
    reminder_kinds_set(user=user, kinds={"notice", "certification", "goal"})

    sent = follow(D(2026, 12, 28), D(2026, 12, 28))

    assert sent == {}
