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
