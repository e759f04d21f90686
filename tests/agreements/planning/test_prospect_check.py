"""The pre-sale check of a prospect (DESIGN "Before signing"): verdict, training plan, and the
client made from the same input, with nothing written by the check itself."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from agreements.models import Agreement
from agreements.planning.prospect_check import ProspectInput, prospect_check
from clients.models import Client
from skills.models import SkillAlias, TrainingGoal
from tests.agreements.factories import ServiceFactory
from tests.skills.factories import (
    SkillFactory,
    SkillVersionFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2027, 1, 10)
NOW = datetime.datetime(2027, 1, 10, 15, tzinfo=datetime.UTC)


@pytest.fixture
def email_deal():
    """Managed email covers Exchange Server; Dana knows Exchange at level 2 only."""
    exchange = SkillFactory(name="Exchange Server")
    SkillAlias.objects.create(skill=exchange, pattern="Exchange")
    v2016 = SkillVersionFactory(skill=exchange, label="2016", rank=1)
    SkillVersionFactory(skill=exchange, label="2019", rank=2)
    service = ServiceFactory(name="Managed email", min_level=3)
    service.skills_in_scope.add(exchange)
    dana = TechnicianFactory(name="Dana Ortiz")
    TechnicianSkillFactory(technician=dana, skill=exchange, level=2)
    return {"exchange": exchange, "v2016": v2016, "service": service, "dana": dana}


def prospect(email_deal, **fields):
    return ProspectInput(
        services=[email_deal["service"]],
        technologies="Exchange 2016, Windows Server 2019 Standard\nSonicWall TZ 370",
        start_date=D(2027, 3, 1),
        annual_value=Decimal("24000"),
        **fields,
    )


def test_a_prospect_nobody_can_serve_is_not_deliverable_with_a_plan(email_deal):
    result = prospect_check(prospect=prospect(email_deal), day=TODAY)

    assert result.verdict.label == "Not deliverable"
    assert result.at_stake == Decimal("24000")
    assert [(t.skill.name, t.version.label) for t in result.technologies] == [
        ("Exchange Server", "2016")
    ]
    assert result.unknown == ["Windows Server 2019 Standard", "SonicWall TZ 370"]
    (goal,) = result.plan
    assert (goal.technician, goal.target_level, goal.target_version_id) == (
        "Dana Ortiz",
        3,
        email_deal["v2016"].pk,
    )
    assert goal.due_date < D(2027, 3, 1)
    assert not Client.objects.exists() and not Agreement.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_page_adds_the_plan_then_creates_the_client_with_the_same_requirements(
    client, consultant, email_deal
):
    client.force_login(consultant)
    url = reverse("planning:prospect_check")
    data = {
        "name": "Quarry Hill Veterinary",
        "services": [email_deal["service"].pk],
        "technologies": "Exchange 2016",
        "start_date": "2027-03-01",
        "annual_value": "24000",
        "support_hours": "8x5",
        "sla_response_hours": "4",
    }

    checked = client.post(url, {**data, "action": "check"})
    planned = client.post(url, {**data, "action": "plan"})
    created = client.post(url, {**data, "action": "create"})

    assert "Can we deliver this deal? Not deliverable." in checked.content.decode()
    assert planned.status_code == 302
    goal = TrainingGoal.objects.get()
    assert (goal.technician, goal.skill, goal.target_level) == (
        email_deal["dana"],
        email_deal["exchange"],
        3,
    )
    agreement = Agreement.objects.get()
    assert created.url == reverse("agreements:detail", args=[agreement.pk])
    assert (agreement.status, agreement.client.name, agreement.client.status) == (
        Agreement.Status.DRAFT,
        "Quarry Hill Veterinary",
        Client.Status.PROSPECT,
    )
    assert [(r.skill, r.version, r.min_level) for r in agreement.requirements.all()] == [
        (email_deal["exchange"], email_deal["v2016"], 3)
    ]


def test_creating_needs_a_name_and_a_bad_form_writes_nothing(client, consultant, email_deal):
    client.force_login(consultant)
    url = reverse("planning:prospect_check")

    nameless = client.post(
        url,
        {
            "services": [email_deal["service"].pk],
            "technologies": "Exchange 2016",
            "start_date": "2027-03-01",
            "support_hours": "8x5",
            "sla_response_hours": "4",
            "action": "create",
        },
    )
    empty = client.post(url, {"action": "check"})

    assert "Give the prospect&#x27;s name to create the client." in nameless.content.decode()
    assert empty.status_code == 200 and empty.context["form"].errors
    assert not Client.objects.exists()


# ------------------------------------------------------------------------------ out of support


@pytest.fixture
def old_exchange():
    """Exchange 2013 (ended 11 Apr 2023) → 2016 (ended 14 Oct 2025) → SE. Dana knows 2013 to
    2016 at level 4, so she qualifies for 2013 but not for SE; Sam knows Exchange at level 2."""
    exchange = SkillFactory(name="Exchange Server")
    SkillAlias.objects.create(skill=exchange, pattern="Exchange")
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
    service = ServiceFactory(name="Managed email", min_level=3)
    service.skills_in_scope.add(exchange)
    dana = TechnicianFactory(name="Dana Ortiz")
    TechnicianSkillFactory(
        technician=dana, skill=exchange, level=4, oldest_version=v2013, newest_version=v2016
    )
    TechnicianSkillFactory(technician=TechnicianFactory(name="Sam Lee"), skill=exchange, level=2)
    return {"exchange": exchange, "v2013": v2013, "v2016": v2016, "se": se, "service": service}


def old_exchange_prospect(old_exchange):
    return ProspectInput(
        services=[old_exchange["service"]],
        technologies="Exchange 2013",
        start_date=D(2027, 3, 1),
        annual_value=Decimal("18000"),
    )


def test_a_prospect_on_an_out_of_support_version_needs_a_migration_and_training_on_its_target(
    old_exchange, settings
):
    settings.COVERAGE_MIN_TECHNICIANS = 1

    result = prospect_check(prospect=old_exchange_prospect(old_exchange), day=TODAY)

    (migration,) = result.migrations
    assert (migration.move.label, migration.move.target_label, migration.annual_value) == (
        "Exchange Server 2013",
        "Exchange Server SE",
        Decimal("18000"),
    )
    assert migration.target_coverage.status == "uncovered"
    (goal,) = result.plan
    assert (goal.technician, goal.target_version_id, goal.migrating_from) == (
        "Dana Ortiz",
        old_exchange["se"].pk,
        "Exchange Server 2013",
    )
    assert goal.requirement == "Exchange Server SE at level 3+"
    assert goal.gap == "knows 2013 – 2016, client moves from 2013 to SE"


@time_machine.travel(NOW, tick=False)
def test_the_prospect_page_names_the_migration_with_its_value_and_never_trains_on_2013(
    client, consultant, old_exchange
):
    client.force_login(consultant)
    data = {
        "services": [old_exchange["service"].pk],
        "technologies": "Exchange 2013",
        "start_date": "2027-03-01",
        "annual_value": "18000",
        "support_hours": "8x5",
        "sla_response_hours": "4",
    }

    page = client.post(reverse("planning:prospect_check"), {**data, "action": "check"})
    planned = client.post(reverse("planning:prospect_check"), {**data, "action": "plan"})

    html = page.content.decode()
    assert (
        "The client runs Exchange Server 2013, out of support since 11 Apr 2023: it needs a "
        "migration to Exchange Server SE."
    ) in html
    assert "An opportunity: $18,000 a year depends on it." in html
    assert "Exchange Server SE at level 3+ (for the migration from Exchange Server 2013)" in html
    assert planned.status_code == 302
    goal = TrainingGoal.objects.get()
    assert goal.target_version == old_exchange["se"]


def test_a_prospect_the_team_covers_after_the_move_needs_the_migration_but_no_training(
    old_exchange, settings
):
    settings.COVERAGE_MIN_TECHNICIANS = 1
    TechnicianSkillFactory(
        technician=TechnicianFactory(name="Helen Okafor"),
        skill=old_exchange["exchange"],
        level=5,
        oldest_version=old_exchange["v2016"],
        newest_version=None,
    )

    result = prospect_check(prospect=old_exchange_prospect(old_exchange), day=TODAY)

    (migration,) = result.migrations
    assert migration.target_coverage.qualified_names == ("Helen Okafor",)
    assert not migration.needs_training
    assert result.plan == [] and result.without_candidate == []


def test_nobody_with_the_skill_is_the_only_case_nobody_is_close(email_deal):
    fortios = SkillFactory(name="FortiOS")
    firewall = ServiceFactory(name="Firewall care", min_level=3)
    firewall.skills_in_scope.add(fortios)
    SkillAlias.objects.create(skill=fortios, pattern="FortiOS")

    result = prospect_check(
        prospect=ProspectInput(
            services=[firewall], technologies="FortiOS", start_date=D(2027, 3, 1)
        ),
        day=TODAY,
    )

    assert result.without_candidate == ["FortiOS at level 3+"]
    assert result.short_of == [] and result.plan == []


def test_someone_with_the_skill_below_the_level_is_proposed_not_called_nobody(email_deal):
    result = prospect_check(prospect=prospect(email_deal), day=TODAY)

    assert result.without_candidate == [] and result.short_of == []
    assert [goal.technician for goal in result.plan] == ["Dana Ortiz"]


def test_one_qualified_of_two_needed_says_who_how_many_more_and_who_is_nearest(email_deal):
    fortios = SkillFactory(name="FortiOS")
    firewall = ServiceFactory(name="Firewall care", min_level=3)
    firewall.skills_in_scope.add(fortios)
    SkillAlias.objects.create(skill=fortios, pattern="FortiOS")
    TechnicianSkillFactory(technician__name="Tomás Rivera", skill=fortios, level=4)
    firewall_deal = ProspectInput(
        services=[firewall], technologies="FortiOS", start_date=D(2027, 3, 1)
    )

    alone = prospect_check(prospect=firewall_deal, day=TODAY)

    assert alone.short_of == [
        "FortiOS at level 3+: Tomás Rivera qualifies; 1 more needed. Nobody else is close: "
        "hire, or train someone from scratch."
    ]
    assert alone.without_candidate == []

    TechnicianSkillFactory(technician__name="Ana Diaz", skill=fortios, level=2)

    with_a_candidate = prospect_check(prospect=firewall_deal, day=TODAY)

    assert with_a_candidate.short_of == [
        "FortiOS at level 3+: Tomás Rivera qualifies; 1 more needed. Nearest: Ana Diaz "
        "(level 2 of 3 needed)."
    ]
    assert [goal.technician for goal in with_a_candidate.plan] == ["Ana Diaz"]
