"""The gap analysis, "Add to plan" and the competitor pages.

The market below is small enough to work out by hand:

Competitors   Alpha: Email (1000), "VoIP phones" (800), "backup" (400, free text)
              Bravo: Email (1200), "voip  phones" (900)
              Charlie: "VOIP Phones" (no price), Backup (500)

Groups        VoIP phones: 3 competitors, $800–900, not offered, skills unknown.
              Email: 2 competitors, $1000–1200, offered.
              Backup: 2 competitors ("backup" is our service's name, so it joins it), $400–500.

Skills        Exchange (versions 2010 < 2013 < 2016 < 2019), Microsoft 365, Veeam.
Technicians   Ann: Exchange 4 (2019 only), M365 3, Veeam 3.
              Bob: Exchange 3 (2013–2016), M365 2.
              Cy: Exchange 2 (all versions): below the level, does not count.
              Dee: Exchange 5, departed: does not count.
Clients       Harbor (active) runs Exchange 2010 and 2016; Former Co (former) runs 2013.

Email (min level 3): Exchange → Ann and Bob; Harbor's 2010 nobody at level 3 knows (Bob's range
starts at 2013, Cy is level 2), 2016 Bob knows. M365 → Ann only. Delivery: partly (a version
nobody knows). Backup (min level 3): Veeam → Ann only: thin (fewer than 2).

Revenue       Harbor's 30,000 requires Exchange; Bay's 5,000 requires Exchange and M365 (counted
              once); Cove's 12,000 requires Veeam; an expired 99,000 requiring Veeam does not
              count. Email: 35,000; Backup: 12,000.

Ranking       VoIP (3 competitors), then Email (2, 35,000), then Backup (2, 12,000).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Agreement
from agreements.planning.gaps import Delivery, competitor_gaps
from agreements.planning.models import Competitor, CompetitorOffering
from skills.models import Technician, TrainingGoal
from tests.agreements.factories import (
    AgreementFactory,
    CompetitorFactory,
    CompetitorOfferingFactory,
    RequirementFactory,
    ServiceFactory,
)
from tests.clients.factories import ClientFactory, ClientTechnologyFactory
from tests.forms import formset
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)
NOON = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.UTC)
at_noon = pytest.mark.time_machine(NOON, tick=False)


@pytest.fixture
def market():
    exchange = SkillFactory(name="Exchange Server")
    v2010, v2013, v2016, v2019 = (
        SkillVersionFactory(skill=exchange, label=label, rank=rank)
        for rank, label in enumerate(["2010", "2013", "2016", "2019"], start=1)
    )
    m365 = SkillFactory(name="Microsoft 365")
    veeam = SkillFactory(name="Veeam")

    email = ServiceFactory(name="Email", min_level=3)
    email.skills_in_scope.set([exchange, m365])
    backup = ServiceFactory(name="Backup", min_level=3)
    backup.skills_in_scope.set([veeam])

    ann = TechnicianFactory(name="Ann")
    TechnicianSkillFactory(
        technician=ann, skill=exchange, level=4, oldest_version=v2019, newest_version=v2019
    )
    TechnicianSkillFactory(technician=ann, skill=m365, level=3)
    TechnicianSkillFactory(technician=ann, skill=veeam, level=3)
    bob = TechnicianFactory(name="Bob")
    TechnicianSkillFactory(
        technician=bob, skill=exchange, level=3, oldest_version=v2013, newest_version=v2016
    )
    TechnicianSkillFactory(technician=bob, skill=m365, level=2)
    cy = TechnicianFactory(name="Cy")
    TechnicianSkillFactory(technician=cy, skill=exchange, level=2)
    dee = TechnicianFactory(name="Dee", status=Technician.Status.DEPARTED)
    TechnicianSkillFactory(technician=dee, skill=exchange, level=5)

    harbor = ClientFactory(name="Harbor")
    ClientTechnologyFactory(client=harbor, skill=exchange, version=v2010)
    ClientTechnologyFactory(client=harbor, skill=exchange, version=v2016)
    former = ClientFactory(name="Former Co", status="former")
    ClientTechnologyFactory(client=former, skill=exchange, version=v2013)

    harbor_agreement = AgreementFactory(client=harbor, annual_value=Decimal("30000.00"))
    RequirementFactory(agreement=harbor_agreement, skill=exchange, version=v2016)
    bay = AgreementFactory(annual_value=Decimal("5000.00"))
    RequirementFactory(agreement=bay, skill=exchange)
    RequirementFactory(agreement=bay, skill=m365)
    cove = AgreementFactory(annual_value=Decimal("12000.00"))
    RequirementFactory(agreement=cove, skill=veeam)
    expired = AgreementFactory(
        annual_value=Decimal("99000.00"),
        status=Agreement.Status.EXPIRED,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2025, 1, 1),
    )
    RequirementFactory(agreement=expired, skill=veeam)

    alpha = CompetitorFactory(name="Alpha")
    bravo = CompetitorFactory(name="Bravo")
    charlie = CompetitorFactory(name="Charlie")
    CompetitorOfferingFactory(competitor=alpha, service=email, price=Decimal("1000.00"))
    CompetitorOfferingFactory(
        competitor=alpha, service=None, name="VoIP phones", price=Decimal("800.00")
    )
    CompetitorOfferingFactory(competitor=alpha, service=None, name="backup", price=Decimal("400"))
    CompetitorOfferingFactory(competitor=bravo, service=email, price=Decimal("1200.00"))
    CompetitorOfferingFactory(
        competitor=bravo, service=None, name="voip  phones", price=Decimal("900.00")
    )
    CompetitorOfferingFactory(competitor=charlie, service=None, name="VOIP Phones", price=None)
    CompetitorOfferingFactory(competitor=charlie, service=backup, price=Decimal("500.00"))
    return {
        "email": email,
        "backup": backup,
        "exchange": exchange,
        "v2010": v2010,
        "v2016": v2016,
        "ann": ann,
        "bob": bob,
        "cy": cy,
        "dee": dee,
    }


def by_name(gaps):
    return {gap.name: gap for gap in gaps}


# ------------------------------------------------------------------------------ the selector


def test_gaps_ranked_by_competitors_then_revenue_at_stake(market):
    gaps = competitor_gaps(day=DAY)

    assert [gap.name for gap in gaps] == ["VoIP phones", "Email", "Backup"]
    assert [gap.competitor_count for gap in gaps] == [3, 2, 2]
    assert [gap.revenue_dependence for gap in gaps] == [
        Decimal("0"),
        Decimal("35000.00"),
        Decimal("12000.00"),
    ]


def test_free_text_offerings_group_by_normalized_name_with_their_price_range(market):
    voip = by_name(competitor_gaps(day=DAY))["VoIP phones"]

    assert voip.competitor_names == ("Alpha", "Bravo", "Charlie")
    assert (voip.price_min, voip.price_max) == (Decimal("800.00"), Decimal("900.00"))
    assert voip.service_id is None
    assert not voip.we_offer
    assert voip.skills == ()
    assert voip.delivery == Delivery.UNKNOWN
    assert voip.is_gap


def test_free_text_named_like_our_service_joins_that_service(market):
    backup = by_name(competitor_gaps(day=DAY))["Backup"]

    assert backup.service_id == market["backup"].pk
    assert backup.competitor_names == ("Alpha", "Charlie")
    assert (backup.price_min, backup.price_max) == (Decimal("400"), Decimal("500.00"))


def test_can_deliver_counts_available_technicians_at_the_service_level(market):
    email = by_name(competitor_gaps(day=DAY))["Email"]
    exchange, m365 = email.skills

    assert email.we_offer
    assert (exchange.skill_name, exchange.technician_names) == ("Exchange Server", ("Ann", "Bob"))
    assert (m365.skill_name, m365.technician_names) == ("Microsoft 365", ("Ann",))
    assert exchange.revenue_dependence == Decimal("35000.00")
    assert m365.revenue_dependence == Decimal("5000.00")


def test_client_versions_nobody_at_the_level_knows_are_listed(market):
    exchange = by_name(competitor_gaps(day=DAY))["Email"].skills[0]

    # Former Co's 2013 is ignored: only active clients count.
    assert [(v.label, v.client_names, v.technician_names) for v in exchange.client_versions] == [
        ("2010", ("Harbor",), ()),
        ("2016", ("Harbor",), ("Bob",)),
    ]
    assert [v.label for v in exchange.uncovered_versions] == ["2010"]


def test_delivery_is_partly_with_an_unknown_version_and_thin_with_one_technician(market):
    gaps = by_name(competitor_gaps(day=DAY))

    assert gaps["Email"].delivery == Delivery.PARTLY
    assert gaps["Backup"].delivery == Delivery.THIN
    assert gaps["Backup"].skills[0].technician_names == ("Ann",)


def test_delivery_is_yes_when_enough_technicians_know_every_client_version(market):
    ben = TechnicianFactory(name="Ben")
    TechnicianSkillFactory(technician=ben, skill=market["backup"].skills_in_scope.get(), level=4)

    backup = by_name(competitor_gaps(day=DAY))["Backup"]

    assert backup.delivery == Delivery.YES
    assert not backup.is_gap


def test_gap_analysis_runs_a_fixed_number_of_queries(market):
    with CaptureQueriesContext(connection) as small:
        competitor_gaps(day=DAY)
    for n in range(5):
        competitor = CompetitorFactory()
        CompetitorOfferingFactory(competitor=competitor, service=None, name=f"Extra {n}")
        CompetitorOfferingFactory(competitor=competitor)  # a new service of ours
        TechnicianSkillFactory(skill=market["exchange"], level=3)
    with CaptureQueriesContext(connection) as large:
        competitor_gaps(day=DAY)

    # the minimum technicians in force, offerings, services, scopes, technician skills, client
    # versions, requirements
    assert len(small) == len(large) == 7


# ------------------------------------------------------------------------------ the page


@at_noon
def test_gap_page_shows_the_figures(consultant_client, market):
    response = consultant_client.get(reverse("planning:gap_analysis"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "3 gaps" in html
    assert "$800–$900" in html
    assert "$35,000" in html
    assert "Add to plan" in html


@at_noon
def test_gap_page_query_count_does_not_grow_with_rows(consultant_client, market):
    url = reverse("planning:gap_analysis")
    consultant_client.get(url)  # the first request fills the login and permission caches
    with CaptureQueriesContext(connection) as few:
        consultant_client.get(url)
    for n in range(6):
        CompetitorOfferingFactory(service=None, name=f"Managed printing {n}")
        TechnicianFactory()
    with CaptureQueriesContext(connection) as many:
        response = consultant_client.get(url)

    assert response.content.decode().count("Create training goals") == 9
    assert len(few) == len(many)


@at_noon
def test_viewer_sees_the_gaps_without_plan_forms(viewer_client, market):
    response = viewer_client.get(reverse("planning:gap_analysis"))

    assert response.status_code == 200
    assert "VoIP phones" in response.content.decode()
    assert "Add to plan" not in response.content.decode()
    assert "Create training goals" not in response.content.decode()


def test_anonymous_visitor_is_sent_to_log_in(client):
    for name in (
        "planning:gap_analysis",
        "planning:plan",
        "planning:what_if",
        "planning:competitor_list",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# ------------------------------------------------------------------------------ add to plan


def plan_post(market, **overrides):
    data = {
        "gap": "Email",
        "technicians": [market["bob"].pk, market["cy"].pk],
        "skill": market["exchange"].pk,
        "target_level": "3",
        "target_version": market["v2010"].pk,
        "certification": "",
        "due_date": "2027-02-28",
        "reason": "Harbor runs Exchange 2010",
        "cost": "250.00",
    }
    data.update(overrides)
    return data


@at_noon
def test_add_to_plan_creates_one_goal_per_technician(consultant_client, market):
    response = consultant_client.post(reverse("planning:add_to_plan"), plan_post(market))

    assert response.status_code == 302
    assert response.url == reverse("planning:plan")
    goals = TrainingGoal.objects.order_by("technician__name")
    assert [
        (g.technician.name, g.skill, g.target_level, g.target_version, g.cost, g.status)
        for g in goals
    ] == [
        ("Bob", market["exchange"], 3, market["v2010"], Decimal("250.00"), "planned"),
        ("Cy", market["exchange"], 3, market["v2010"], Decimal("250.00"), "planned"),
    ]
    assert {g.due_date for g in goals} == {datetime.date(2027, 2, 28)}
    assert {g.reason for g in goals} == {"Harbor runs Exchange 2010"}


@at_noon
def test_add_to_plan_with_a_certification_only(consultant_client, market):
    mcp = CertificationFactory(name="MCP", is_baseline=True)
    data = plan_post(
        market,
        technicians=[market["cy"].pk],
        skill="",
        target_level="",
        target_version="",
        certification=mcp.pk,
    )

    consultant_client.post(reverse("planning:add_to_plan"), data)

    goal = TrainingGoal.objects.get()
    assert (goal.technician, goal.skill, goal.certification) == (market["cy"], None, mcp)


@at_noon
def test_add_to_plan_needs_a_skill_or_a_certification(consultant_client, market):
    data = plan_post(market, skill="", target_level="", target_version="")

    response = consultant_client.post(reverse("planning:add_to_plan"), data)

    assert response.status_code == 200
    assert "Choose a skill to learn, a certification to earn, or both." in (
        response.content.decode()
    )
    assert not TrainingGoal.objects.exists()


@at_noon
def test_add_to_plan_rejects_a_version_of_another_skill(consultant_client, market):
    other_version = SkillVersionFactory(label="22H2")
    data = plan_post(market, target_version=other_version.pk)

    response = consultant_client.post(reverse("planning:add_to_plan"), data)

    assert "belongs to" in response.content.decode()
    assert not TrainingGoal.objects.exists()


@at_noon
def test_add_to_plan_refuses_departed_technicians(consultant_client, market):
    data = plan_post(market, technicians=[market["dee"].pk])

    response = consultant_client.post(reverse("planning:add_to_plan"), data)

    assert response.status_code == 200
    assert not TrainingGoal.objects.exists()


@at_noon
def test_viewer_cannot_add_to_plan(viewer_client, market):
    response = viewer_client.post(reverse("planning:add_to_plan"), plan_post(market))

    assert response.status_code == 403
    assert not TrainingGoal.objects.exists()


# ------------------------------------------------------------------------------ competitors


def competitor_post(**overrides):
    data = {
        "name": "Delta Networks",
        "website": "https://delta.example",
        "notes": "",
        **formset(
            "offerings",
            [
                {"service": "", "name": "VoIP phones", "price": "750.00", "notes": ""},
                {"service": "", "name": "", "price": "", "notes": ""},
            ],
        ),
    }
    data.update(overrides)
    return data


def test_consultant_creates_a_competitor_with_offerings(consultant_client, market):
    data = competitor_post(**{"offerings-1-service": str(market["email"].pk)})

    response = consultant_client.post(reverse("planning:competitor_create"), data)

    assert response.status_code == 302
    competitor = Competitor.objects.get(name="Delta Networks")
    assert sorted(
        (o.offering_name, o.price) for o in competitor.offerings.select_related("service")
    ) == [("Email", None), ("VoIP phones", Decimal("750.00"))]


def test_competitor_errors_are_shown_on_the_fields(consultant_client, market):
    data = competitor_post(
        name="alpha",  # taken, ignoring case
        **{"offerings-0-price": "-5", "offerings-1-price": "100"},
    )

    response = consultant_client.post(reverse("planning:competitor_create"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "already exists" in html
    assert "Ensure this value is greater than or equal to 0." in html
    assert "Pick one of our services or type the offering&#x27;s name." in html
    assert not Competitor.objects.filter(name="alpha").exists()


def test_editing_a_competitor_changes_and_removes_offerings(consultant_client, market):
    alpha = Competitor.objects.get(name="Alpha")
    offerings = list(alpha.offerings.order_by("pk"))
    data = competitor_post(name="Alpha IT")
    rows = [
        {
            "id": str(offering.pk),
            "competitor": str(alpha.pk),
            "service": str(offering.service_id or ""),
            "name": offering.name,
            "price": str(offering.price or ""),
            "notes": "",
        }
        for offering in offerings
    ]
    data.update(formset("offerings", rows, initial=3))
    data["offerings-0-price"] = "1100.00"  # Email
    data["offerings-2-DELETE"] = "on"  # "backup"

    response = consultant_client.post(reverse("planning:competitor_update", args=[alpha.pk]), data)

    assert response.status_code == 302
    alpha.refresh_from_db()
    assert alpha.name == "Alpha IT"
    assert sorted((o.offering_name, o.price) for o in alpha.offerings.all()) == [
        ("Email", Decimal("1100.00")),
        ("VoIP phones", Decimal("800.00")),
    ]


def test_viewer_sees_competitors_without_edit_controls(viewer_client, market):
    response = viewer_client.get(reverse("planning:competitor_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Alpha" in html
    assert "Add competitor" not in html
    assert reverse("planning:competitor_update", args=[Competitor.objects.first().pk]) not in html


def test_viewer_cannot_create_or_edit_competitors(viewer_client, market):
    alpha = Competitor.objects.get(name="Alpha")

    assert viewer_client.get(reverse("planning:competitor_create")).status_code == 403
    assert (
        viewer_client.post(reverse("planning:competitor_create"), competitor_post()).status_code
        == 403
    )
    response = viewer_client.post(
        reverse("planning:competitor_update", args=[alpha.pk]), competitor_post()
    )
    assert response.status_code == 403
    assert not Competitor.objects.filter(name="Delta Networks").exists()
    assert CompetitorOffering.objects.count() == 7
