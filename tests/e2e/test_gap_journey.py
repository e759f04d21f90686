"""A consultant closes a gap: from the gap analysis to a training goal to a resolved flag."""

import datetime
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from agreements.coverage.models import CoverageFlag
from agreements.coverage.runs import coverage_run_execute
from agreements.planning.services import competitor_create, competitor_offering_create
from agreements.services import agreement_create, service_create
from clients.services import client_create, client_technology_add
from skills.models import SkillCategory
from skills.services import technician_create, technician_skill_set
from tests.skills.factories import SkillFactory, SkillVersionFactory


def harbor_needs_a_second_exchange_technician():
    """Harbor runs Exchange 2016; only Sam supports it at level 3 and two are needed."""
    exchange = SkillFactory(
        name="Exchange Server", category=SkillCategory.objects.create(name="Email")
    )
    v2016 = SkillVersionFactory(skill=exchange, label="2016", rank=1)
    v2019 = SkillVersionFactory(skill=exchange, label="2019", rank=2)
    email = service_create(name="Email administration", skills=[exchange])
    sam = technician_create(name="Sam Lee", email="sam@msp.example")
    technician_skill_set(technician=sam, skill=exchange, level=4)
    dana = technician_create(name="Dana Ortiz", email="dana@msp.example")
    technician_skill_set(
        technician=dana, skill=exchange, level=2, oldest_version=v2019, newest_version=v2019
    )
    harbor = client_create(name="Harbor Law Group")
    client_technology_add(client=harbor, skill=exchange, version=v2016)
    agreement_create(
        client=harbor,
        title="Managed email",
        start_date=timezone.localdate() - datetime.timedelta(days=30),
        annual_value=Decimal("30000.00"),
        services=[email],
        status="active",
    )
    rival = competitor_create(name="BlueHarbor Managed IT")
    competitor_offering_create(competitor=rival, service=email, price=Decimal("1100.00"))
    competitor_offering_create(competitor=rival, name="VoIP phones", price=Decimal("850.00"))
    coverage_run_execute(run_date=timezone.localdate())
    flag = CoverageFlag.objects.get()
    assert flag.reason == "Only Sam Lee qualifies (2 needed)"
    return flag


def test_consultant_turns_a_gap_into_training_and_resolves_the_flag(
    page, log_in, consultant, screenshot
):
    flag = harbor_needs_a_second_exchange_technician()
    log_in(consultant)

    page.goto("/gaps/")
    expect(page.get_by_role("heading", name="Gap analysis")).to_be_visible()
    email_row = page.locator("tr[data-gap='Email administration']")
    expect(email_row).to_contain_text("1 technician")
    expect(email_row).to_contain_text("Thin")
    expect(page.locator("tr[data-gap='VoIP phones']")).to_contain_text("not in our catalog")
    screenshot(page, "1-gaps")

    email_row.get_by_role("button", name="Add to plan").click()
    plan_form = page.get_by_role("form", name="Add Email administration to the plan")
    expect(plan_form).to_be_visible()
    plan_form.get_by_label("Technicians").fill("Dana Ortiz")
    expect(plan_form.get_by_role("button", name="Remove Dana Ortiz")).to_be_visible()
    plan_form.get_by_label("Version").select_option(label="2016")
    plan_form.get_by_label("Reason").fill("Harbor needs a second Exchange 2016 technician")
    screenshot(page, "2-add-to-plan")
    plan_form.get_by_role("button", name="Create training goals").click()

    expect(page).to_have_url(re.compile(r"/plan/$"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Added to the plan: Exchange Server 2016 at level 3 for Dana Ortiz"
    )
    planned = page.get_by_test_id("goals-planned")
    expect(planned).to_contain_text("Dana Ortiz")
    screenshot(page, "3-plan")

    planned.get_by_role("link", name="Mark done").click()
    expect(page.get_by_role("heading", name=re.compile("Dana Ortiz"))).to_be_visible()
    expect(page.get_by_label("New level in Exchange Server")).to_have_value("3")
    screenshot(page, "4-mark-done")
    page.get_by_role("button", name="Record and mark done").click()

    expect(page).to_have_url(re.compile(r"/plan/$"))
    # Beside it, what recording the new level does to coverage (agreements/coverage/impact.py).
    expect(page.get_by_role("alert").filter(has_text="Done:")).to_contain_text(
        "Resolved: Exchange Server 2016 at level 3+ for Harbor Law Group"
    )
    expect(page.get_by_test_id("goals-done")).to_contain_text("Dana Ortiz")
    screenshot(page, "5-resolved")
    flag.refresh_from_db()
    assert flag.resolved_at is not None
