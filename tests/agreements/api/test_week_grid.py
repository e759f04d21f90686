"""A requirement's and an agreement's week grid in the API: the week in the client's time,
evaluated now, as the pages draw it."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from agreements.coverage.runs import coverage_run_execute
from agreements.models import Agreement
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.clients.factories import ClientFactory
from tests.skills.factories import SkillFactory, TechnicianFactory, TechnicianSkillFactory

TODAY = datetime.date(2026, 12, 7)
NOW = datetime.datetime(2026, 12, 7, 15, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def requirement():
    """Exchange for a 24×7 client in Chicago; Dana Ortiz works 9 to 5 in New York."""
    exchange = SkillFactory(name="Exchange")
    TechnicianSkillFactory(technician=TechnicianFactory(name="Dana Ortiz"), skill=exchange, level=3)
    agreement = AgreementFactory(
        client=ClientFactory(time_zone="America/Chicago"),
        support_hours=Agreement.SupportHours.ALWAYS,
    )
    return RequirementFactory(agreement=agreement, skill=exchange, min_technicians=1)


def test_a_requirements_week_in_the_clients_time(api, viewer, requirement):
    response = api(viewer).get(reverse("api:requirement-week-grid", args=[requirement.pk]))

    assert response.status_code == 200
    data = response.json()
    assert data["zone"] == "America/Chicago"
    assert data["days"][0] == "2026-12-07"
    assert [len(row) for row in data["rows"]] == [48] * 7
    assert data["rows"][0][16] == {
        "label": "Mon 08:00",
        "count": 1,
        "in_window": True,
        "gap": False,
    }
    assert data["rows"][0][0]["gap"] is True
    assert data["gaps"][0] == {
        "day": "2026-12-07",
        "hours": "00:00–08:00",
        "cause": "outside_hours",
    }
    assert Decimal(data["uncovered_hours"]) == Decimal("128")


def test_an_agreements_week(api, consultant, requirement):
    response = api(consultant).get(
        reverse("api:agreement-week-grid", args=[requirement.agreement_id])
    )

    assert response.status_code == 200
    assert Decimal(response.json()["uncovered_hours"]) == Decimal("128")


def test_a_drafts_week_starts_on_its_pre_sale_day(api, viewer, requirement):
    Agreement.objects.filter(pk=requirement.agreement_id).update(
        status=Agreement.Status.DRAFT, start_date=datetime.date(2027, 2, 1)
    )

    response = api(viewer).get(reverse("api:requirement-week-grid", args=[requirement.pk]))

    assert response.json()["days"][0] == "2027-02-01"


def test_an_agreement_no_longer_active_has_no_week(api, viewer, requirement):
    Agreement.objects.filter(pk=requirement.agreement_id).update(
        status=Agreement.Status.EXPIRED, end_date=datetime.date(2026, 6, 30)
    )

    response = api(viewer).get(reverse("api:requirement-week-grid", args=[requirement.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["api:requirement-week-grid", "api:agreement-week-grid"])
def test_the_week_is_for_signed_in_callers(api, requirement, name):
    assert api(None).get(reverse(name, args=[requirement.pk])).status_code == 401


def test_an_unknown_requirement_is_not_found(api, viewer, requirement):
    response = api(viewer).get(reverse("api:requirement-week-grid", args=[requirement.pk + 100]))

    assert response.status_code == 404


def test_a_checks_requirement_has_its_first_gap(api, viewer, requirement):
    with time_machine.travel(NOW - datetime.timedelta(hours=8), tick=False):
        check = coverage_run_execute(run_date=TODAY).coverage_check

    response = api(viewer).get(reverse("api:check-requirements", args=[check.pk]))

    (row,) = response.json()["results"]
    # From midnight in Chicago to 8 there, 9 in New York.
    assert datetime.datetime.fromisoformat(row["gap_starts_at"]) == datetime.datetime(
        2026, 12, 7, 6, tzinfo=datetime.UTC
    )
    assert datetime.datetime.fromisoformat(row["gap_ends_at"]) == datetime.datetime(
        2026, 12, 7, 14, tzinfo=datetime.UTC
    )
    assert row["gap_cause"] == "outside_hours"
    assert Decimal(row["uncovered_hours"]) == Decimal("128")


def test_the_live_coverage_names_the_first_gap(api, viewer, requirement):
    response = api(viewer).get(reverse("api:agreement-coverage", args=[requirement.agreement_id]))

    (row,) = response.json()["requirements"]
    assert (row["status"], row["gap_cause"]) == ("uncovered", "outside_hours")
    assert Decimal(row["uncovered_hours"]) == Decimal("128")
