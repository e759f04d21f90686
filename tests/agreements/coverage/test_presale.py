"""The pre-sale check of a draft agreement (DESIGN "Before signing"): its verdict as if it were
active on its start date (today when that has passed), on its page and above its form, computed
live for that one agreement and recorded nowhere."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from agreements.coverage.models import CoverageCheck
from agreements.coverage.selectors import agreement_presale_verdict
from agreements.models import Agreement
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.skills.factories import SkillFactory, TechnicianFactory, TechnicianSkillFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2027, 1, 10)


@pytest.fixture
def exchange():
    """Exchange, held at level 4 by Dana and Sam, whose last days are 28 Feb and 31 Jan 2027."""
    skill = SkillFactory(name="Exchange Server")
    dana = TechnicianFactory(name="Dana Ortiz", available_until=D(2027, 2, 28))
    sam = TechnicianFactory(name="Sam Lee", available_until=D(2027, 1, 31))
    for technician in (dana, sam):
        TechnicianSkillFactory(technician=technician, skill=skill, level=4)
    return skill


def draft(skill=None, **fields):
    agreement = AgreementFactory(status=Agreement.Status.DRAFT, **fields)
    if skill is not None:
        RequirementFactory(agreement=agreement, skill=skill, min_technicians=2)
    return agreement


def test_a_draft_starting_later_is_judged_on_its_start_date(exchange):
    starts_today = draft(exchange, start_date=TODAY)
    starts_in_march = draft(exchange, start_date=D(2027, 3, 1))  # both have left by then

    today_verdict, _ = agreement_presale_verdict(agreement=starts_today, day=TODAY)
    march_verdict, coverage = agreement_presale_verdict(agreement=starts_in_march, day=TODAY)

    assert (today_verdict.label, today_verdict.day) == ("Deliverable with risk", TODAY)
    assert (march_verdict.label, march_verdict.day) == ("Not deliverable", D(2027, 3, 1))
    assert coverage.requirements[0].reason.startswith("No active technician has Exchange Server")


def test_a_draft_whose_start_has_passed_is_judged_today(exchange):
    verdict, _ = agreement_presale_verdict(
        agreement=draft(exchange, start_date=D(2026, 6, 1)), day=TODAY
    )

    assert verdict.day == TODAY


def test_a_draft_without_requirements_is_not_assessed():
    verdict, _ = agreement_presale_verdict(agreement=draft(), day=TODAY)

    assert verdict.label == "Not assessed"


@time_machine.travel(datetime.datetime(2027, 1, 10, 15, tzinfo=datetime.UTC), tick=False)
def test_the_drafts_page_and_form_show_the_verdict_and_record_nothing(client, consultant, exchange):
    client.force_login(consultant)
    agreement = draft(exchange, start_date=D(2027, 3, 1))
    active = AgreementFactory(start_date=D(2026, 1, 1))

    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    form = client.get(reverse("agreements:update", args=[agreement.pk])).content.decode()
    active_form = client.get(reverse("agreements:update", args=[active.pk])).content.decode()

    assert "Can we deliver this deal? Not deliverable." in page
    assert "as if it were active on 1 Mar 2027" in page
    assert "No active technician has Exchange Server" in page
    assert "Can we deliver this deal? Not deliverable." in form
    assert 'data-testid="presale-verdict"' not in active_form
    assert not CoverageCheck.objects.exists()
