"""A technician proposes a skill from My skills, a skill approver approves it from the queue,
and the dashboard's flag resolves after a check: in a real Chromium, at desktop and phone
widths, without an accessibility violation.

The coverage check runs eagerly in these tests (CELERY_TASK_ALWAYS_EAGER), so "Run coverage check
now" has finished by the time the dashboard comes back."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from agreements.coverage.models import CoverageFlag
from agreements.coverage.runs import coverage_run_execute
from agreements.models import Agreement
from agreements.services import agreement_create
from core import groups
from skills.models import SkillProposal, TechnicianSkill
from tests.clients.factories import ClientFactory, ClientTechnologyFactory
from tests.conftest import make_user
from tests.e2e.conftest import choose
from tests.e2e.test_journeys import run_coverage_check
from tests.e2e.test_team_time import DESKTOP, axe_failures, looks_right_on_a_phone
from tests.skills.factories import TechnicianFactory, TechnicianSkillFactory
from tests.skills.proposals.conftest import PDF


@pytest.fixture
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def flagged(catalog):
    """Harlow & Pierce's Managed email needs two technicians at Exchange level 3: only Dana
    Ortiz qualifies."""
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
    TechnicianSkillFactory(
        technician=TechnicianFactory(name="Dana Ortiz"), skill=catalog["exchange"], level=4
    )
    coverage_run_execute(run_date=timezone.localdate())


@pytest.fixture
def sam(django_user_model):
    user = make_user(
        django_user_model, "sam", group=groups.TECHNICIAN, first_name="Sam", last_name="Okafor"
    )
    TechnicianFactory(name="Sam Okafor", email="sam@msp.example", user=user)
    return user


@pytest.fixture
def approving_consultant(consultant):
    consultant.groups.add(Group.objects.get(name=groups.SKILL_APPROVERS))
    return consultant


def test_a_technician_proposes_an_approver_approves_and_the_flag_resolves(
    page,
    browser,
    live_server,
    log_in,
    sam,
    approving_consultant,
    catalog,
    flagged,
    private_media,
    screenshot,
):
    log_in(sam)
    page.get_by_role("link", name="My skills").click()
    expect(page.get_by_role("heading", name="My skills")).to_be_visible()
    page.get_by_role("link", name="Propose a skill or level").click()
    choose(page, "skill", "Exchange", catalog["exchange"].pk)
    page.get_by_label("Your level").select_option("3")
    page.get_by_label("Evidence").set_input_files(
        files=[{"name": "exchange-course.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    screenshot(page, "1-proposal-form")
    assert axe_failures(page) == []
    page.get_by_role("button", name="Send for approval").click()

    proposals = page.get_by_role("region", name="My proposals")
    expect(proposals).to_contain_text("Exchange at level 3 (all versions)")
    expect(proposals).to_contain_text("Pending")
    screenshot(page, "2-my-skills")
    assert axe_failures(page) == []
    looks_right_on_a_phone(page, screenshot, "2-my-skills")
    assert not TechnicianSkill.objects.filter(technician__user=sam).exists()

    approver_context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    approver_page = approver_context.new_page()
    approver_page.goto("/accounts/login/")
    approver_page.get_by_label("Username").fill(approving_consultant.get_username())
    approver_page.get_by_label("Password").fill("correct-horse-battery-staple")
    approver_page.get_by_role("button", name="Log in").click()
    approver_page.get_by_role("link", name="Approvals").click()
    queue = approver_page.get_by_role("region", name="Waiting for a decision (1)")
    expect(queue).to_contain_text("Sam Okafor")
    expect(queue).to_contain_text(
        "This change resolves 1 flag on 1 agreement ($25,000) and opens none."
    )
    expect(queue.get_by_role("link", name="exchange-course.pdf")).to_be_visible()
    screenshot(approver_page, "3-approvals-queue")
    assert axe_failures(approver_page) == []
    looks_right_on_a_phone(approver_page, screenshot, "3-approvals-queue")

    approver_page.get_by_label("Sam Okafor").check()
    approver_page.get_by_label("Comment").fill("Course record checked.")
    approver_page.get_by_role("button", name="Approve ticked").click()
    expect(
        approver_page.get_by_role("alert").filter(has_text="Approved 1 proposal.")
    ).to_be_visible()
    assert SkillProposal.objects.get().state == SkillProposal.State.APPROVED

    run_coverage_check(approver_page)
    expect(approver_page.get_by_role("region", name="Open flags")).to_contain_text("No open flags")
    screenshot(approver_page, "4-dashboard-resolved")
    assert not CoverageFlag.objects.filter(resolved_at__isnull=True).exists()
    approver_context.close()
