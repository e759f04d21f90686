"""From an uncovered requirement to the plan of attack in a real Chromium: "Add to plan" comes
prefilled with the nearest candidate, and the plan shows the goal against the flag."""

import datetime
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from agreements.coverage.models import CoverageFlag
from agreements.coverage.runs import coverage_run_execute
from agreements.models import Agreement
from agreements.planning.models import PlannedRequirement
from agreements.services import agreement_create
from skills.models import TrainingGoal
from tests.clients.factories import ClientFactory, ClientTechnologyFactory
from tests.skills.factories import TechnicianFactory, TechnicianSkillFactory


def test_add_to_plan_from_an_uncovered_requirement_links_the_goal_to_its_flag(
    page,
    log_in,
    consultant,
    catalog,
    screenshot,  # noqa: F811
):
    client = ClientFactory(name="Harlow & Pierce")
    ClientTechnologyFactory(
        client=client, skill=catalog["exchange"], version=catalog["exchange_2016"]
    )
    agreement = agreement_create(
        client=client,
        title="Managed email",
        start_date=timezone.localdate() - datetime.timedelta(days=30),
        annual_value=Decimal("25000"),
        services=[catalog["service"]],
        status=Agreement.Status.ACTIVE,
    )
    lee = TechnicianFactory(name="Lee Park")
    TechnicianSkillFactory(technician=lee, skill=catalog["exchange"], level=2)
    TechnicianSkillFactory(
        technician=TechnicianFactory(name="Uma Novak"), skill=catalog["exchange"], level=1
    )
    coverage_run_execute(run_date=timezone.localdate())
    flag = CoverageFlag.objects.get(resolved_at__isnull=True)
    assert flag.status == "uncovered"
    log_in(consultant)

    page.goto(f"/agreements/{agreement.pk}/")
    requirements = page.get_by_role("region", name="Requirements and coverage")
    requirements.get_by_role("link", name="Add to plan").click()
    expect(
        page.get_by_role("heading", name="Add to the plan: Exchange 2016 at level 3+")
    ).to_be_visible()
    expect(page.get_by_role("list", name="Chosen")).to_have_text("Lee Park")
    expect(page.locator('select[name="target_level"]')).to_have_value("3")
    expect(page.locator('select[name="target_version"]')).to_have_value(
        str(catalog["exchange_2016"].pk)
    )
    screenshot(page, "1-add-to-plan")
    page.get_by_role("button", name="Create training goals").click()

    planned = page.get_by_test_id("goals-planned")
    expect(planned).to_contain_text("Lee Park")
    expect(planned.get_by_test_id("goal-flag")).to_contain_text(agreement.reference)
    screenshot(page, "2-plan")
    goal = TrainingGoal.objects.get()
    assert goal.technician == lee
    assert PlannedRequirement.objects.get(goal=goal).requirement_id == flag.requirement_id
