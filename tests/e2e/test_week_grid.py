"""The agreement page's week grid in a browser: the week in the client's time at a desk and on
a phone, readable (the grid scrolls inside its own region, the days stay in view) and with no
serious accessibility violation."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agreements.coverage.runs import coverage_run_execute
from agreements.models import Agreement
from skills.models import OnCallMember, OnCallRota, TimeOff, WorkingHours
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.clients.factories import ClientFactory
from tests.conftest import PASSWORD
from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.test_every_page import DESKTOP, PHONE, axe_failures
from tests.skills.factories import SkillFactory, TechnicianFactory, TechnicianSkillFactory

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def round_the_clock():
    """A 24×7 agreement for a client in Chicago. Dana Ortiz works 9 to 5 in New York, Sam Lee
    noon to 8 pm and is off the day after tomorrow; the night rota hands over every day between
    Lee Park, who knows Exchange, and Ravi Shah, who does not: every other night is a gap."""
    today = timezone.localdate()
    exchange = SkillFactory(name="Exchange Server")
    dana, sam, lee, ravi = (
        TechnicianFactory(name=name) for name in ("Dana Ortiz", "Sam Lee", "Lee Park", "Ravi Shah")
    )
    for technician in (dana, sam, lee):
        TechnicianSkillFactory(technician=technician, skill=exchange, level=3)
    for weekday in range(5):
        WorkingHours.objects.create(
            technician=sam, weekday=weekday, start=datetime.time(12), end=datetime.time(20)
        )
    day_after_tomorrow = today + datetime.timedelta(days=2)
    TimeOff.objects.create(
        technician=sam, first_day=day_after_tomorrow, last_day=day_after_tomorrow
    )
    rota = OnCallRota.objects.create(
        name="Nights",
        time_zone="America/New_York",
        starts_at=datetime.datetime.combine(
            today - datetime.timedelta(days=1), datetime.time(17), tzinfo=NEW_YORK
        ),
        rotation_days=1,
    )
    for position, technician in enumerate((lee, ravi)):
        OnCallMember.objects.create(rota=rota, technician=technician, position=position)
    agreement = AgreementFactory(
        reference="AGR-2026-0024",
        title="Around the clock",
        client=ClientFactory(name="Night Owl Logistics", time_zone="America/Chicago"),
        support_hours=Agreement.SupportHours.ALWAYS,
        annual_value=Decimal("40000.00"),
    )
    RequirementFactory(agreement=agreement, skill=exchange, min_technicians=1)
    coverage_run_execute(run_date=today)
    return agreement


def week_card(page):
    return page.locator('section[aria-labelledby="week"]')


def open_agreement(page, agreement):
    page.goto(f"/agreements/{agreement.pk}/")
    expect(page.get_by_role("heading", name="The week in the client's time")).to_be_visible()
    grid = page.get_by_test_id("week-grid")
    expect(grid).to_be_visible()
    expect(grid.locator("caption")).to_contain_text("(America/Chicago)")
    expect(grid.locator("tbody tr")).to_have_count(7)
    expect(page.get_by_test_id("week-gaps")).to_contain_text("Gaps in the support window")
    return grid


def test_the_week_grid_at_a_desk(page, log_in, consultant, screenshot, round_the_clock):
    page.set_viewport_size(DESKTOP)
    log_in(consultant)

    grid = open_agreement(page, round_the_clock)

    grid.scroll_into_view_if_needed()
    screenshot(page, "1280")
    week_card(page).screenshot(path=RESULTS_DIR / "week_grid-1280.png")
    # The whole week fits beside the days at a desk: nothing to scroll.
    region = page.locator(".week-grid-scroll").first
    assert region.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert axe_failures(page, "agreement page at 1280 px") == []


def test_the_week_grid_on_a_phone(
    browser, live_server, log_in, consultant, screenshot, round_the_clock
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(consultant.get_username())
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

        grid = open_agreement(page, round_the_clock)

        grid.scroll_into_view_if_needed()
        screenshot(page, "390")
        week_card(page).screenshot(path=RESULTS_DIR / "week_grid-390.png")
        # The page itself does not scroll sideways; the grid does, in its own region, with the
        # days kept in view.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        region = page.locator(".week-grid-scroll").first
        assert region.evaluate("box => box.scrollWidth > box.clientWidth")
        region.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
        expect(grid.locator("tbody th").first).to_be_in_viewport()
        week_card(page).screenshot(path=RESULTS_DIR / "week_grid-390-scrolled.png")
        assert axe_failures(page, "agreement page at 390 px") == []
    finally:
        context.close()


def test_a_requirements_week_marks_the_support_window(
    page, log_in, consultant, screenshot, round_the_clock
):
    """An 8×5 agreement's week: the hours outside the window hatched, the time off a gap."""
    office = AgreementFactory(
        reference="AGR-2026-0025",
        client=ClientFactory(name="Quiet Office", time_zone="America/New_York"),
    )
    requirement = RequirementFactory(
        agreement=office, skill=round_the_clock.requirements.get().skill, min_technicians=1
    )
    log_in(consultant)

    page.goto(f"/requirements/{requirement.pk}/")

    grid = page.get_by_test_id("week-grid")
    expect(grid.locator("td.wg-out").first).to_be_attached()
    expect(grid.locator("td.wg-in").first).to_be_attached()
    week_card(page).screenshot(path=RESULTS_DIR / "week_grid-requirement-1280.png")
    screenshot(page, "1280")
    assert axe_failures(page, "requirement page at 1280 px") == []
