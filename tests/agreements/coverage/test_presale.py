"""The pre-sale check of a draft agreement (DESIGN "Before signing"): its verdict as if it were
active on its start date (today when that has passed), on its page and above its form, computed
live for that one agreement and recorded nowhere."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from agreements.coverage.drafts_and_end_of_support import draft_verdicts
from agreements.coverage.models import CoverageCheck
from agreements.coverage.selectors import agreement_presale_verdict
from agreements.models import Agreement
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

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


def test_drafts_of_several_days_judged_together_each_see_their_own_days_team(exchange):
    # The check judges each draft on its own day: a later day counts no certification that
    # expired and no technician who left before it.
    ccna = CertificationFactory(name="CCNA")
    TechnicianCertificationFactory(
        technician=TechnicianFactory(name="Noor Haddad"),
        certification=ccna,
        expires_on=D(2027, 2, 15),
    )
    today, february, march = (
        draft(exchange, start_date=start) for start in (TODAY, D(2027, 2, 10), D(2027, 3, 1))
    )
    certified_in_february, certified_in_march = (
        AgreementFactory(status=Agreement.Status.DRAFT, start_date=start)
        for start in (D(2027, 2, 10), D(2027, 3, 1))
    )
    for agreement in (certified_in_february, certified_in_march):
        RequirementFactory(agreement=agreement, skill=None, certification=ccna, min_technicians=1)

    verdicts = {verdict.agreement_id: verdict for verdict in draft_verdicts(day=TODAY)}

    assert {pk: (v.status, v.assessed_on) for pk, v in verdicts.items()} == {
        today.pk: ("at_risk", TODAY),
        february.pk: ("at_risk", D(2027, 2, 10)),  # Sam left on 31 January: Dana alone
        march.pk: ("uncovered", D(2027, 3, 1)),
        certified_in_february.pk: ("at_risk", D(2027, 2, 10)),  # expires inside the window
        certified_in_march.pk: ("uncovered", D(2027, 3, 1)),  # expired on 15 February
    }


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


@time_machine.travel(datetime.datetime(2027, 1, 10, 15, tzinfo=datetime.UTC), tick=False)
def test_a_draft_on_an_out_of_support_version_proposes_the_migration_and_training_on_its_target(
    client, consultant
):
    """Exchange 2013 (ended 11 Apr 2023) → 2016 (ended 14 Oct 2025) → SE. Dana knows 2013 to
    2016, so she qualifies for what the client runs; nobody knows SE."""
    client.force_login(consultant)
    exchange = SkillFactory(name="Exchange Server")
    v2013, v2016, se = (
        SkillVersionFactory(skill=exchange, label=label, rank=rank, end_of_support=end)
        for label, rank, end in (
            ("2013", 1, D(2023, 4, 11)),
            ("2016", 2, D(2025, 10, 14)),
            ("SE", 3, None),
        )
    )
    v2013.successor, v2016.successor = v2016, se
    v2013.save()
    v2016.save()
    dana = TechnicianFactory(name="Dana Ortiz")
    TechnicianSkillFactory(
        technician=dana, skill=exchange, level=4, oldest_version=v2013, newest_version=v2016
    )
    agreement = draft(start_date=D(2027, 3, 1), annual_value=Decimal("8400.00"))
    requirement = RequirementFactory(
        agreement=agreement, skill=exchange, version=v2013, min_technicians=1
    )

    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    adding = client.get(reverse("planning:add_to_plan"), {"requirement": requirement.pk})

    assert "Can we deliver this deal? Deliverable." in page
    assert (
        "The client runs Exchange Server 2013, out of support since 11 Apr 2023: it needs a "
        "migration to Exchange Server SE."
    ) in page
    assert "An opportunity: $8,400 a year depends on it." in page
    assert "Train for Exchange Server SE at level 3+; nearest candidates:" in page
    assert "knows 2013 – 2016, client moves from 2013 to SE" in page
    assert f"?requirement={requirement.pk}" in page
    initial = adding.context["form"].initial
    assert (initial["target_version"], initial["technicians"]) == (se.pk, [dana.pk])
    assert initial["gap"] == "Exchange Server SE at level 3+"
