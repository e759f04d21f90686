"""An admin connects NinjaOne (a local server answering in its shapes) in the browser: adds the
connection, tests it, syncs, maps the two software titles Covered does not know on the sync's
preview, confirms, and sees the client's environment and the coverage notice change."""

from django.utils import timezone
from playwright.sync_api import expect

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck
from agreements.service_catalog import load_catalog
from clients.models import Client, ClientTechnology
from tests.agreements.connectors.conftest import SECRET, serve_ninjaone, software, standard_data
from tests.e2e.test_every_page import log_in_on

PHONE = {"width": 390, "height": 844}


def test_admin_connects_ninjaone_maps_two_titles_and_confirms_the_first_sync(
    page, browser, live_server, admin_user, httpserver, screenshot
):
    load_catalog()
    coverage_check_run(day=timezone.localdate(), trigger=CoverageCheck.Trigger.MANUAL)
    data = standard_data()
    data.software.append(software(21, "Practice Charts Pro", "4.2", "Charts Inc."))
    serve_ninjaone(httpserver, data)
    log_in_on(page, admin_user)
    expect(page.get_by_test_id("check-notice")).not_to_contain_text("Data has changed since")

    page.get_by_role("button", name=admin_user.get_username()).click()
    page.get_by_role("link", name="PSA and RMM connections").click()
    page.get_by_role("button", name="Add a connection").click()
    page.get_by_role("link", name="NinjaOne").click()
    page.get_by_label("Name").fill("Head office RMM")
    page.get_by_label("Base URL").fill(httpserver.url_for("/"))
    page.get_by_label("Client ID").fill("covered-sync")
    page.get_by_label("Client secret").fill(SECRET)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Connection “Head office RMM” saved.")).to_be_visible()

    page.get_by_role("button", name="Test connection").click()
    expect(page.get_by_text("Found 2 organizations.")).to_be_visible()

    page.get_by_role("button", name="Sync now").click()
    review = page.get_by_test_id("review")
    expect(review).to_contain_text("first sync")
    screenshot(page, "review")
    review.get_by_role("link", name="Client environment").click()

    expect(page.get_by_role("heading", name="Products Covered does not know")).to_be_visible()
    page.get_by_label("Skill of Plotter Cafe Utility").select_option(label="AutoCAD 2024")
    page.locator("form", has=page.get_by_label("Skill of Plotter Cafe Utility")).get_by_role(
        "button", name="Map"
    ).click()
    expect(page.get_by_label("Skill of Plotter Cafe Utility")).to_have_count(0)
    page.get_by_label("Skill of Practice Charts Pro").select_option(
        label="Dentrix (version from the file)"
    )
    page.locator("form", has=page.get_by_label("Skill of Practice Charts Pro")).get_by_role(
        "button", name="Map"
    ).click()
    expect(page.get_by_role("heading", name="Products Covered does not know")).to_have_count(0)
    expect(page.get_by_test_id("sync-preview")).to_be_visible()
    page.get_by_role("link", name="its connection's page").click()

    page.get_by_role("button", name="Confirm and write").click()
    expect(page.get_by_text("The sync was confirmed and written.")).to_be_visible()
    expect(page.get_by_test_id("connection-status")).to_contain_text("Synced")
    screenshot(page, "applied")

    northlight = Client.objects.get(name="Northlight Architects")
    assert ("AutoCAD", "2024") in set(
        ClientTechnology.objects.filter(client=northlight).values_list(
            "skill__name", "version__label"
        )
    )
    page.goto(f"/clients/{northlight.pk}/")
    expect(page.get_by_text("AutoCAD")).to_be_visible()
    page.goto("/")
    expect(page.get_by_test_id("check-notice")).to_contain_text("Data has changed since")

    # The same session on a phone (a second login would reuse the one-time code).
    phone = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        is_mobile=True,
        storage_state=page.context.storage_state(),
    )
    phone_page = phone.new_page()
    phone_page.goto("/connections/")
    phone_page.get_by_role("link", name="Head office RMM").click()
    expect(phone_page.get_by_test_id("runs")).to_contain_text("Applied")
    screenshot(phone_page, "phone")
    phone.close()
