"""Each user's private calendar feed of the deadlines that concern them."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from agreements.coverage.models import CalendarFeed
from tests.agreements.factories import AgreementFactory
from tests.clients.factories import ClientFactory
from tests.skills.factories import (
    TechnicianCertificationFactory,
    TechnicianFactory,
    TrainingGoalFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = datetime.datetime(2027, 1, 10, 15, tzinfo=datetime.UTC)


def new_feed_url(client):
    url = reverse("coverage:calendar_feed_settings")
    response = client.post(url, {"action": "new"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert client.get(url).context["feed_url"] is None  # shown once
    return response.context["feed_url"]


@time_machine.travel(NOW, tick=False)
def test_the_feed_parses_back_with_the_deadlines_of_its_user(client, consultant):
    client.force_login(consultant)
    AgreementFactory(
        reference="AGR-2026-0042",
        title="Managed network",
        client=ClientFactory(name="Harbor Dental", account_manager=consultant),
        start_date=D(2026, 7, 1),
        end_date=D(2027, 6, 30),
        auto_renew=True,
        notice_days=60,
    )
    AgreementFactory(end_date=D(2027, 6, 30), notice_days=60)  # somebody else's
    me = TechnicianFactory(name="Jordan Reyes", user=consultant)
    TechnicianCertificationFactory(
        technician=me, certification__name="CCNA", expires_on=D(2027, 4, 15)
    )
    TechnicianCertificationFactory(expires_on=D(2027, 4, 15))  # another technician's
    TrainingGoalFactory(technician=me, due_date=D(2027, 3, 1), skill__name="Exchange Server")
    url = new_feed_url(client)
    client.logout()

    response = client.get(url)  # a calendar app: no session

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = sorted(
        (event.decoded("dtstart"), str(event["summary"])) for event in calendar.walk("VEVENT")
    )
    assert events == [
        (D(2027, 3, 1), "Training goal due: Jordan Reyes: Exchange Server at level 3"),
        (D(2027, 4, 15), "Jordan Reyes's CCNA expires"),
        (D(2027, 5, 1), "Notice deadline: AGR-2026-0042 Managed network (Harbor Dental)"),
        (D(2027, 7, 1), "Renews: AGR-2026-0042 Managed network (Harbor Dental)"),
    ]
    assert all(event["uid"] and event["dtstamp"] for event in calendar.walk("VEVENT"))


def test_only_a_hash_of_the_secret_is_stored(client, consultant):
    client.force_login(consultant)

    url = new_feed_url(client)

    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in CalendarFeed.objects.get().token_hash
    assert len(CalendarFeed.objects.get().token_hash) == 64


def test_a_revoked_or_replaced_address_gives_404(client, consultant):
    client.force_login(consultant)
    first = new_feed_url(client)
    second = new_feed_url(client)

    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.post(reverse("coverage:calendar_feed_settings"), {"action": "revoke"})
    assert client.get(second).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_a_viewer_may_have_a_feed_too(viewer_client):
    assert new_feed_url(viewer_client).endswith(".ics")


@time_machine.travel(NOW, tick=False)
def test_the_feed_holds_a_technicians_on_call_turns_and_time_off(client, consultant):
    from skills.models import OnCallMember, OnCallOverride, OnCallRota, TimeOff

    client.force_login(consultant)
    me = TechnicianFactory(name="Jordan Reyes", user=consultant)
    other = TechnicianFactory(name="Priya Nair")
    rota = OnCallRota.objects.create(
        name="Nights",
        time_zone="America/Chicago",
        # Hand-offs on Mondays at 17:00 Chicago time (23:00 UTC in winter).
        starts_at=datetime.datetime(2027, 1, 4, 23, tzinfo=datetime.UTC),
        rotation_days=7,
    )
    OnCallMember.objects.create(rota=rota, technician=other, position=0)
    OnCallMember.objects.create(rota=rota, technician=me, position=1)
    OnCallOverride.objects.create(
        rota=rota,
        technician=me,
        starts_at=datetime.datetime(2027, 1, 9, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2027, 1, 9, 12, tzinfo=datetime.UTC),
    )
    TimeOff.objects.create(
        technician=me, first_day=D(2027, 2, 1), last_day=D(2027, 2, 3), note="Ski trip"
    )
    TimeOff.objects.create(technician=other, first_day=D(2027, 2, 1), last_day=D(2027, 2, 3))
    url = new_feed_url(client)
    client.logout()

    calendar = Calendar.from_ical(client.get(url).content)

    events = calendar.walk("VEVENT")
    shifts = [
        (event.decoded("dtstart"), event.decoded("dtend"), str(event["summary"]))
        for event in events
        if str(event["summary"]).startswith("On call")
    ]
    utc = datetime.UTC
    assert shifts[:3] == [
        (
            datetime.datetime(2027, 1, 9, 0, tzinfo=utc),
            datetime.datetime(2027, 1, 9, 12, tzinfo=utc),
            "On call (cover): Nights (Jordan Reyes)",
        ),
        (
            datetime.datetime(2027, 1, 11, 23, tzinfo=utc),
            datetime.datetime(2027, 1, 18, 23, tzinfo=utc),
            "On call: Nights (Jordan Reyes)",
        ),
        (
            datetime.datetime(2027, 1, 25, 23, tzinfo=utc),
            datetime.datetime(2027, 2, 1, 23, tzinfo=utc),
            "On call: Nights (Jordan Reyes)",
        ),
    ]
    # Every other week up to a quarter ahead, and none of them the other member's.
    assert len(shifts) == 8
    description = str(next(e for e in events if "On call" in str(e["summary"]))["description"])
    assert description == (
        "Jordan Reyes's turn on the Nights rota: on call during the rota's hours, "
        "Mon–Fri 00:00–09:00, Mon–Fri 17:00–24:00, Sat–Sun 00:00–24:00 (America/Chicago time)."
    )
    time_off = [
        (event.decoded("dtstart"), event.decoded("dtend"), str(event["summary"]))
        for event in events
        if "vacation" in str(event["summary"])
    ]
    assert time_off == [(D(2027, 2, 1), D(2027, 2, 4), "Jordan Reyes: vacation (Ski trip)")]


def test_the_feeds_queries_do_not_grow_with_rotas_and_shifts(
    client, consultant, django_assert_max_num_queries
):
    from skills.models import OnCallMember, OnCallRota

    client.force_login(consultant)
    me = TechnicianFactory(user=consultant)
    url = new_feed_url(client)
    client.logout()

    def add_rotas(count):
        for _ in range(count):
            rota = OnCallRota.objects.create(
                name=f"Rota {OnCallRota.objects.count()}",
                starts_at=datetime.datetime(2027, 1, 4, 23, tzinfo=datetime.UTC),
                rotation_days=1,
            )
            OnCallMember.objects.create(rota=rota, technician=me, position=0)

    add_rotas(1)
    with django_assert_max_num_queries(16) as one:
        client.get(url)
    add_rotas(5)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200
