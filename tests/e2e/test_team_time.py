"""The team's time in a real Chromium: a rota's eight weeks of turns with a swap confirmed, and
the team calendar, each reached from the Team menu, at desktop and phone widths, without an
accessibility violation and without scrolling sideways on a phone."""

import datetime
import re
import zoneinfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from skills.models import OnCallOverride
from tests.skills.factories import TechnicianFactory
from tests.skills.team_time.factories import (
    OnCallMemberFactory,
    OnCallOverrideFactory,
    OnCallRotaFactory,
    TimeOffFactory,
)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
BLOCKING_IMPACTS = {"serious", "critical"}
AXE = Axe()
NAMES = ["Ann Park", "Bob Reyes", "Cy Moreau", "Dee Nakamura"]


def axe_failures(page) -> list[str]:
    violations = AXE.run(page).response["violations"]
    return [
        f"{violation['impact']} {violation['id']} ({violation['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in violations
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def looks_right_on_a_phone(page, screenshot, name) -> None:
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(200)
    screenshot(page, f"{name}-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_failures(page) == []
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def rota(e2e_database):
    zone = zoneinfo.ZoneInfo("Europe/London")
    today = timezone.now().astimezone(zone).date()
    monday = today - datetime.timedelta(days=today.weekday())
    rota = OnCallRotaFactory(
        name="Out of hours",
        time_zone="Europe/London",
        starts_at=datetime.datetime.combine(monday, datetime.time(9), tzinfo=zone),
    )
    technicians = [
        OnCallMemberFactory(rota=rota, position=index, technician__name=name).technician
        for index, name in enumerate(NAMES[:3])
    ]
    cover_starts = datetime.datetime.combine(
        monday + datetime.timedelta(days=15), datetime.time(18), tzinfo=zone
    )
    OnCallOverrideFactory(
        rota=rota,
        technician=TechnicianFactory(name=NAMES[3]),
        starts_at=cover_starts,
        ends_at=cover_starts + datetime.timedelta(hours=15),
        note="School play",
    )
    return rota, technicians


def test_the_rota_page_shows_the_turns_and_a_swap_is_confirmed(
    page, log_in, consultant, rota, screenshot
):
    rota, _ = rota
    log_in(consultant)
    page.get_by_role("button", name="Team").click()
    page.get_by_role("link", name="On-call rotas").click()
    page.get_by_role("link", name="Out of hours").click()

    turns = page.get_by_role("list", name="Turns").get_by_role("listitem")
    expect(turns).to_have_count(9)
    expect(turns.nth(0)).to_contain_text("Ann Park")
    expect(turns.nth(0)).to_contain_text("now")
    expect(turns.nth(2)).to_contain_text("Dee Nakamura covers")
    expect(page.get_by_text("Times in Europe/London")).to_be_visible()
    screenshot(page, "rota")
    assert axe_failures(page) == []
    looks_right_on_a_phone(page, screenshot, "rota")

    page.get_by_role("link", name="Swap turn 2").click()
    page.get_by_label("Swaps with").select_option(index=2)
    page.get_by_label("Note").fill("Moving house")
    page.get_by_role("button", name="Review the swap").click()
    expect(page.get_by_role("alert")).to_contain_text("Please confirm: Cy Moreau takes the turn")
    assert OnCallOverride.objects.count() == 1
    page.get_by_role("button", name="Confirm the swap").click()

    expect(page).to_have_url(re.compile(rf"/rotas/{rota.pk}/$"))
    expect(turns.nth(1)).to_contain_text("Cy Moreau")
    expect(turns.nth(1)).to_contain_text("Override")
    expect(turns.nth(1)).to_contain_text("instead of Bob Reyes")
    assert OnCallOverride.objects.count() == 3
    screenshot(page, "rota-swapped")


def test_the_team_calendar_shows_who_is_off(page, log_in, consultant, rota, screenshot):
    _, technicians = rota
    today = timezone.localdate()
    first = today.replace(day=1)
    TimeOffFactory(
        technician=technicians[0],
        first_day=first + datetime.timedelta(days=3),
        last_day=first + datetime.timedelta(days=9),
        note="Lisbon",
    )
    TimeOffFactory(
        technician=technicians[1],
        first_day=first + datetime.timedelta(days=8),
        last_day=first + datetime.timedelta(days=8),
        kind="training",
        note="AZ-104 exam",
    )
    log_in(consultant)
    page.get_by_role("button", name="Team").click()
    page.get_by_role("link", name="Team calendar").click()

    expect(page.get_by_role("heading", name="Team calendar")).to_be_visible()
    spans = page.get_by_role("region", name=re.compile("^Time off in")).get_by_role("listitem")
    expect(spans).to_have_count(2)
    expect(spans.nth(0)).to_contain_text("Ann Park")
    expect(page.locator(".away-count", has_text="2")).to_have_count(1)
    screenshot(page, "calendar")
    assert axe_failures(page) == []
    looks_right_on_a_phone(page, screenshot, "calendar")

    page.get_by_role("link", name=re.compile("Next month")).click()
    expect(page.get_by_text(re.compile("Nobody is off in"))).to_be_visible()


def test_a_technicians_week_and_time_off_are_set_from_their_page(
    page, log_in, consultant, screenshot
):
    dana = TechnicianFactory(name="Dana Ortiz", time_zone="Europe/London")
    log_in(consultant)
    page.goto(f"/technicians/{dana.pk}/")
    hours = page.get_by_role("region", name=re.compile("^Working hours"))
    expect(hours).to_contain_text("The firm's default hours")

    page.get_by_role("link", name="Edit working hours").click()
    page.get_by_label("Custom").check()
    page.get_by_label("Monday").fill("08:00-12:00, 12:30-16:30")
    page.get_by_label("Friday").fill("08:00-12:15")
    page.get_by_role("button", name="Save working hours").click()
    expect(page.locator("#id_fri-error")).to_contain_text("times are on the half hour")
    screenshot(page, "hours-refused")
    assert axe_failures(page) == []
    looks_right_on_a_phone(page, screenshot, "hours-refused")
    page.get_by_label("Friday").fill("08:00-12:00")
    page.get_by_role("button", name="Save working hours").click()
    expect(hours).to_contain_text("08:00–12:00, 12:30–16:30")

    page.get_by_role("link", name="Add time off").click()
    page.get_by_label("First day").fill("2030-08-05")
    page.get_by_label("Last day").fill("2030-08-09")
    page.get_by_label("Note").fill("Lisbon")
    screenshot(page, "time-off-form")
    assert axe_failures(page) == []
    looks_right_on_a_phone(page, screenshot, "time-off-form")
    page.get_by_role("button", name="Add time off").click()

    time_off = page.get_by_role("region", name="Time off")
    expect(time_off).to_contain_text("5 Aug 2030 – 9 Aug 2030")
    expect(time_off).to_contain_text("Lisbon")
    screenshot(page, "technician")
    assert axe_failures(page) == []
    looks_right_on_a_phone(page, screenshot, "technician")


def test_the_cover_form_reads_well(page, log_in, consultant, rota, screenshot):
    rota, _ = rota
    log_in(consultant)
    page.goto(f"/rotas/{rota.pk}/cover/?turn=1")
    expect(page.get_by_label("Turn")).to_have_value("1")
    screenshot(page, "cover")
    assert axe_failures(page) == []
    looks_right_on_a_phone(page, screenshot, "cover")
    page.goto(f"/rotas/{rota.pk}/edit/")
    screenshot(page, "rota-form")
    assert axe_failures(page) == []
    looks_right_on_a_phone(page, screenshot, "rota-form")
