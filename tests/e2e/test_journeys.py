"""A consultant's journeys through the browser, and a viewer's, in a real Chromium.

The coverage check runs eagerly in these tests (CELERY_TASK_ALWAYS_EAGER), so "Run coverage check
now" has finished by the time the dashboard comes back.
"""

import datetime
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck, CoverageFlag, CoverageRun
from agreements.coverage.runs import coverage_run_execute
from agreements.models import Agreement
from agreements.services import agreement_create
from clients.models import Client
from tests.clients.factories import ClientFactory, ClientTechnologyFactory
from tests.e2e.conftest import choose
from tests.skills.factories import (
    TechnicianFactory,
    TechnicianSkillFactory,
)

UNCOVERED_REASON = "No active technician has Exchange 2016 at level 3 or above"


def run_coverage_check(page):
    page.goto("/")
    page.get_by_role("button", name="Run coverage check now").click()
    expect(
        page.get_by_role("alert").filter(has_text="The coverage check has finished")
    ).to_be_visible()


def test_consultant_sets_up_a_client_and_agreement_and_sees_it_flagged_uncovered(
    page, log_in, consultant, catalog, screenshot
):
    lee = TechnicianFactory(name="Lee Park")
    TechnicianSkillFactory(technician=lee, skill=catalog["exchange"], level=2)
    log_in(consultant)

    page.goto("/clients/new/")
    page.get_by_label("Name").first.fill("Harlow & Pierce")
    choose(page, "environment-0-skill", "Exchange", catalog["exchange"].pk)
    page.locator('select[name="environment-0-version"]').select_option(
        str(catalog["exchange_2016"].pk)
    )
    page.get_by_role("region", name="Environment").get_by_role("button", name="Add a row").click()
    choose(page, "environment-1-skill", "Windows Server", catalog["windows"].pk)
    page.locator('select[name="environment-1-version"]').select_option(
        str(catalog["windows_2022"].pk)
    )
    screenshot(page, "1-client-form")
    page.get_by_role("button", name="Create client").click()
    expect(page.get_by_role("heading", name="Harlow & Pierce")).to_be_visible()
    assert Client.objects.get(name="Harlow & Pierce").technologies.count() == 2

    page.goto("/agreements/new/")
    choose(page, "client", "Harlow & Pierce", Client.objects.get(name="Harlow & Pierce").pk)
    page.get_by_label("Title").fill("Managed email")
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Start date").fill(timezone.localdate().isoformat())
    page.get_by_label("Annual value ($)").fill("25000")
    page.get_by_label("Managed email").check()
    screenshot(page, "2-agreement-form")
    page.get_by_role("button", name="Create agreement").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"AGR-\d{4}-\d{4} · Managed email"))
    ).to_be_visible()
    expect(page.get_by_text("Exchange 2016 at level 3+")).to_be_visible()

    run_coverage_check(page)
    flags = page.get_by_role("region", name="Open flags")
    expect(flags).to_contain_text("Harlow & Pierce")
    expect(flags).to_contain_text(UNCOVERED_REASON)
    screenshot(page, "3-dashboard-flagged")

    flags.get_by_role("link", name=re.compile(r"AGR-")).click()
    requirements = page.get_by_role("region", name="Requirements and coverage")
    expect(requirements.get_by_text("Uncovered", exact=True)).to_be_visible()
    expect(requirements).to_contain_text(UNCOVERED_REASON)
    expect(requirements).to_contain_text("Lee Park")
    expect(requirements).to_contain_text("level 2 of 3 needed")
    screenshot(page, "4-agreement-uncovered")
    assert CoverageFlag.objects.get(resolved_at__isnull=True).status == "uncovered"


def test_consultant_gives_a_technician_the_missing_skill_and_the_flag_resolves(
    page, log_in, consultant, catalog, screenshot
):
    client = ClientFactory(name="Harlow & Pierce")
    ClientTechnologyFactory(
        client=client, skill=catalog["exchange"], version=catalog["exchange_2016"]
    )
    agreement_create(
        client=client,
        title="Managed email",
        start_date=timezone.localdate() - datetime.timedelta(days=30),
        annual_value=Decimal("25000"),
        services=[catalog["service"]],
        status=Agreement.Status.ACTIVE,
    )
    dana = TechnicianFactory(name="Dana Ortiz")
    TechnicianSkillFactory(technician=dana, skill=catalog["exchange"], level=4)
    lee = TechnicianFactory(name="Lee Park")
    coverage_run_execute(run_date=timezone.localdate())
    log_in(consultant)

    page.goto("/")
    flags = page.get_by_role("region", name="Open flags")
    expect(flags).to_contain_text("Only Dana Ortiz qualifies (2 needed)")
    screenshot(page, "1-dashboard-at-risk")

    page.goto(f"/technicians/{lee.pk}/edit/")
    choose(page, "skills-0-skill", "Exchange", catalog["exchange"].pk)
    page.locator('select[name="skills-0-level"]').select_option("3")
    screenshot(page, "2-technician-form")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Lee Park")).to_be_visible()

    run_coverage_check(page)
    expect(page.get_by_role("region", name="Open flags")).to_contain_text("No open flags")
    expect(page.get_by_test_id("run-flags")).to_contain_text("1 resolved")
    screenshot(page, "3-dashboard-resolved")
    assert not CoverageFlag.objects.filter(resolved_at__isnull=True).exists()
    assert CoverageRun.objects.count() == 1


def test_viewer_sees_no_edit_controls_and_a_direct_post_is_refused(
    page, log_in, viewer, catalog, screenshot
):
    client = ClientFactory(name="Harlow & Pierce")
    agreement = agreement_create(
        client=client,
        title="Managed email",
        start_date=timezone.localdate(),
        annual_value=Decimal("25000"),
        status=Agreement.Status.ACTIVE,
    )
    coverage_check_run(day=timezone.localdate(), trigger=CoverageCheck.Trigger.SCHEDULE)
    log_in(viewer)

    expect(page.get_by_test_id("arr-total")).to_have_text("$25,000")
    expect(page.get_by_role("button", name="Run coverage check now")).to_have_count(0)
    screenshot(page, "1-dashboard")
    page.goto("/agreements/")
    expect(page.get_by_role("link", name=agreement.reference)).to_be_visible()
    expect(page.get_by_role("link", name="New agreement")).to_have_count(0)
    page.goto(f"/agreements/{agreement.pk}/")
    expect(page.get_by_role("link", name="Change history")).to_be_visible()
    expect(page.get_by_role("link", name="Edit agreement")).to_have_count(0)
    screenshot(page, "2-agreement")

    # With a valid CSRF token, so the refusal comes from the role, not from the CSRF check.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    headers = {"X-CSRFToken": token, "Referer": page.url}
    run_now = page.request.post("/coverage/run/", headers=headers, max_redirects=0)
    edit = page.request.post(
        f"/agreements/{agreement.pk}/edit/",
        headers=headers,
        form={"title": "Renamed", "client": str(client.pk)},
        max_redirects=0,
    )

    assert (run_now.status, edit.status) == (403, 403)
    assert not CoverageRun.objects.exists()
    agreement.refresh_from_db()
    assert agreement.title == "Managed email"
