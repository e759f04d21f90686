"""The gap analysis lists the partner programmes short of people, and "Add to plan" proposes
the training goals that keep the tier."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck
from skills.models import TrainingGoal
from tests.skills.factories import (
    CertificationFactory,
    PartnerProgramFactory,
    PartnerRuleFactory,
    SkillFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
    TrainingGoalFactory,
)

NOW = datetime.datetime(2026, 11, 26, 15, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 26)
D = datetime.date

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def modern_work():
    """MS-102 × 2 and Intune at level 4 × 1. Jade's MS-102 lapses on 12 Jan 2027, Dana holds it
    for good; Sam knows Intune at level 3 and Exchange (which MS-102 covers) at level 4; Lee is
    new to both; Kim leaves on 31 Dec 2026."""
    exchange = SkillFactory(name="Exchange Online")
    intune = SkillFactory(name="Intune")
    ms102 = CertificationFactory(name="MS-102")
    ms102.skills.add(exchange)
    programme = PartnerProgramFactory(
        vendor="Microsoft", tier="Solutions Partner — Modern Work", yearly_benefit=Decimal("18000")
    )
    certified = PartnerRuleFactory(program=programme, certification=ms102, min_technicians=2)
    skilled = PartnerRuleFactory(program=programme, skill=intune, min_level=4, min_technicians=1)
    jade = TechnicianFactory(name="Jade Okafor")
    dana = TechnicianFactory(name="Dana Ortiz")
    sam = TechnicianFactory(name="Sam Reyes")
    lee = TechnicianFactory(name="Lee Park")
    kim = TechnicianFactory(name="Kim Chen", available_until=D(2026, 12, 31))
    TechnicianCertificationFactory(technician=jade, certification=ms102, expires_on=D(2027, 1, 11))
    TechnicianCertificationFactory(technician=dana, certification=ms102)
    TechnicianSkillFactory(technician=sam, skill=intune, level=3)
    TechnicianSkillFactory(technician=sam, skill=exchange, level=4)
    TechnicianSkillFactory(technician=kim, skill=intune, level=3)
    return {
        "programme": programme,
        "certified": certified,
        "skilled": skilled,
        "jade": jade,
        "sam": sam,
        "lee": lee,
        "ms102": ms102,
        "intune": intune,
    }


def plan_url(programme):
    return reverse("planning:programme_plan", args=[programme.pk])


def test_the_gap_analysis_lists_the_programmes_missing_people(modern_work, consultant_client):
    coverage_check_run(day=TODAY, trigger=CoverageCheck.Trigger.MANUAL)

    page = consultant_client.get(reverse("planning:gap_analysis"))

    (short,) = page.context["programmes_short"]
    assert short.result.label == "Microsoft Solutions Partner — Modern Work"
    assert short.missing == (
        ("2 technicians certified MS-102", 1),
        ("1 technician with Intune at level 4 or above", 1),
    )
    html = page.content.decode()
    assert "Missing 1 of 2 technicians certified MS-102" in html
    assert plan_url(modern_work["programme"]) in html


def test_add_to_plan_proposes_a_renewal_and_the_closest_technician(modern_work, consultant_client):
    page = consultant_client.get(plan_url(modern_work["programme"]))

    proposals = page.context["plan"].proposals
    assert [(p.technician_name, p.target, p.due_date, p.why) for p in proposals] == [
        ("Jade Okafor", "MS-102", D(2027, 1, 11), "renews before it lapses on 12 Jan 2027"),
        ("Sam Reyes", "Intune at level 4", D(2027, 2, 24), "level 3 now"),
    ]


def test_add_to_plan_creates_the_ticked_goals(modern_work, consultant_client):
    proposals = consultant_client.get(plan_url(modern_work["programme"])).context["plan"].proposals

    response = consultant_client.post(
        plan_url(modern_work["programme"]), {"goals": [p.key for p in proposals]}
    )

    assert response.status_code == 302
    goals = TrainingGoal.objects.order_by("technician__name")
    assert [
        (g.technician.name, g.certification_id, g.skill_id, g.target_level, g.due_date)
        for g in goals
    ] == [
        ("Jade Okafor", modern_work["ms102"].pk, None, None, D(2027, 1, 11)),
        ("Sam Reyes", None, modern_work["intune"].pk, 4, D(2027, 2, 24)),
    ]
    assert goals[0].reason == (
        "Keeps Microsoft Solutions Partner — Modern Work: 2 technicians certified MS-102"
    )
    # Planned now: the page proposes nobody else for the same targets.
    assert consultant_client.get(plan_url(modern_work["programme"])).context["plan"].proposals == ()


def test_an_open_goal_on_the_same_target_counts_towards_the_shortfall(
    modern_work, consultant_client
):
    TrainingGoalFactory(technician=modern_work["lee"], skill=modern_work["intune"], target_level=5)

    proposals = consultant_client.get(plan_url(modern_work["programme"])).context["plan"].proposals

    assert [(p.technician_name, p.target) for p in proposals] == [("Jade Okafor", "MS-102")]


def test_nothing_ticked_adds_nothing_and_says_so(modern_work, consultant_client):
    response = consultant_client.post(plan_url(modern_work["programme"]), {"goals": ["999-999"]})

    assert response.status_code == 200
    assert not TrainingGoal.objects.exists()
    assert [str(m) for m in response.context["messages"]] == [
        "Nothing was added: tick at least one of the goals below."
    ]


def test_a_viewer_cannot_add_to_the_plan(modern_work, viewer_client):
    response = viewer_client.post(plan_url(modern_work["programme"]), {"goals": ["1-1"]})

    assert response.status_code == 403
    assert not TrainingGoal.objects.exists()


def test_a_programme_that_is_met_needs_no_goal(consultant_client):
    programme = PartnerProgramFactory()
    rule = PartnerRuleFactory(program=programme, min_technicians=1)
    TechnicianCertificationFactory(certification=rule.certification)

    page = consultant_client.get(plan_url(programme))

    assert page.context["plan"].proposals == ()
    assert "Every rule is met through the window" in page.content.decode()
