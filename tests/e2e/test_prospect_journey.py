"""A consultant checks a prospect before signing, in a real Chromium: the technologies pasted as
the prospect's inventory spells them, a verdict of "not deliverable" with the value at stake and
the nearest candidate, then one click puts the proposed training on the plan of attack."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from agreements.service_catalog import EMAIL, load_catalog
from skills.models import Skill, TrainingGoal
from tests.skills.factories import TechnicianFactory, TechnicianSkillFactory

PHONE = {"width": 390, "height": 844}


def test_consultant_checks_a_prospect_and_adds_the_training_plan(
    page, log_in, consultant, screenshot
):
    load_catalog()
    exchange = Skill.objects.get(name="Exchange Server")
    priya = TechnicianFactory(name="Priya Raman")
    TechnicianSkillFactory(technician=priya, skill=exchange, level=2)
    TechnicianSkillFactory(
        technician=TechnicianFactory(name="Owen Fairley"), skill=exchange, level=1
    )
    # Far enough ahead to be a start date whenever the test runs; the goal is due a week before.
    year = timezone.localdate().year + 1
    start = datetime.date(year, 3, 1)
    log_in(consultant)

    page.get_by_role("button", name="Gaps").click()
    page.get_by_role("link", name="Can we deliver this deal?").click()
    expect(page.get_by_role("heading", name="Can we deliver this deal?")).to_be_visible()
    page.get_by_label("Prospect's name").fill("Quarry Hill Veterinary")
    page.get_by_label(EMAIL).check()
    page.get_by_label("Technologies").fill(
        "Exchange 2016\nWindows Server 2019 Standard\nSynology DSM 7.2"
    )
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Annual value ($)").fill("36000")
    screenshot(page, "1-input")
    page.get_by_role("button", name="Check the deal").click()

    verdict = page.get_by_test_id("prospect-verdict")
    expect(verdict.get_by_role("status")).to_contain_text(
        f"Can we deliver this deal? Not deliverable. The deal is evaluated as if it were active "
        f"on 1 Mar {year}."
    )
    expect(verdict).to_contain_text("Annual value at stake: $36,000.")
    expect(verdict).to_contain_text("Read as: Exchange Server 2016, Windows Server 2019.")
    expect(verdict).to_contain_text("Not recognised: Synology DSM 7.2")
    requirement = page.get_by_role("region", name="Requirements of the deal").locator("tbody tr")
    expect(requirement).to_contain_text("Exchange Server 2016")
    expect(requirement).to_contain_text("Uncovered")
    expect(requirement).to_contain_text("nobody")
    plan = page.get_by_role("region", name="Proposed training plan")
    expect(plan.get_by_role("listitem")).to_have_count(1)
    expect(plan.get_by_role("listitem")).to_contain_text(
        # Exchange 2016 is out of support: the plan trains for the version the client moves to.
        re.compile(
            rf"^Priya Raman: Exchange Server SE at level 3\+ \(for the migration from Exchange "
            rf"Server 2016\), due 22 Feb {year} \("
        )
    )
    screenshot(page, "2-verdict")

    page.set_viewport_size(PHONE)
    expect(verdict).to_be_visible()
    screenshot(page, "3-verdict-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Add the training plan (1 goal)").click()

    expect(page).to_have_url(re.compile(r"/plan/$"))
    expect(page.get_by_role("heading", name="Plan of attack")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Added 1 training goal to the plan.")
    goal_row = page.get_by_test_id("goals-planned").locator("tbody tr")
    expect(goal_row).to_have_count(1)
    expect(goal_row).to_contain_text("Priya Raman")
    expect(goal_row).to_contain_text("Exchange Server SE at level 3")
    expect(goal_row).to_contain_text(f"22 Feb {year}")
    expect(goal_row).to_contain_text(
        f"Pre-sale check for Quarry Hill Veterinary, starting 1 Mar {year}"
    )
    screenshot(page, "4-plan")
    goal = TrainingGoal.objects.get()
    assert (goal.technician, goal.skill, goal.target_version.label, goal.target_level) == (
        priya,
        exchange,
        "SE",
        3,
    )
    assert goal.due_date < start
    assert goal.reason == f"Pre-sale check for Quarry Hill Veterinary, starting 1 Mar {year}"
