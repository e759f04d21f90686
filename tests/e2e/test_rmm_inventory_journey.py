"""A consultant imports an RMM inventory exported as it comes, in the browser: a site name
spelled differently, a build number in the version column, an agent product whose name holds
another product's, a partial export and an unreadable row; each is offered its choice, and the
file is confirmed without the unreadable row."""

from playwright.sync_api import expect

from agreements.service_catalog import load_catalog
from clients.models import ClientTechnology
from skills.models import Skill
from tests.clients.factories import ClientFactory, ClientTechnologyFactory

INVENTORY = (
    "Site;Device;Software Name;Publisher;Version\r\n"
    "Northlight Architects;NL-PC01;Microsoft Windows 11 Pro;Microsoft Corporation;10.0.22631\r\n"
    "Northlight Architecture;NL-PC02;Microsoft Windows 11 Pro;Microsoft Corporation;10.0\r\n"
    "Northlight Architects;NL-PC01;QuickBooks Desktop Enterprise;Intuit Inc.;24.0\r\n"
    "Northlight Architects;NL-SRV01;Veeam Agent for Microsoft Windows;Veeam Software;6.1\r\n"
    "Northlight Architects;NL-PC05;;Microsoft Corporation;10.0.22631\r\n"
).encode("cp1252")


def test_consultant_imports_an_rmm_inventory_without_being_blocked(
    page, log_in, consultant, screenshot
):
    load_catalog()
    northlight = ClientFactory(name="Northlight Architects")
    windows = Skill.objects.get(name="Windows")
    ClientTechnologyFactory(
        client=northlight, skill=windows, version=windows.versions.get(label="11"), quantity=7
    )
    log_in(consultant)
    page.get_by_role("link", name="Import").click()
    page.locator("#id_kind").select_option("environment")
    page.locator("#id_file").set_input_files(
        files=[{"name": "inventory.csv", "mimeType": "text/csv", "buffer": INVENTORY}]
    )
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_text("the file lists 1, Covered has 7: a partial export?")).to_be_visible()
    page.get_by_label("Which client Northlight Architecture is").select_option(
        label="Northlight Architects"
    )
    page.locator("#unknown-clients").get_by_role("button", name="Apply").click()
    expect(page.get_by_text("is now read as Northlight Architects")).to_be_visible()
    expect(page.get_by_text("the file lists 2, Covered has 7: a partial export?")).to_be_visible()

    page.get_by_label("What QuickBooks Desktop Enterprise 24.0 is").select_option(
        label="Version 2024"
    )
    page.locator("#unknown-versions").get_by_role("button", name="Apply").click()
    expect(page.get_by_text("is now read as version 2024")).to_be_visible()

    expect(page.get_by_role("heading", name="Products Covered does not know")).to_be_visible()
    page.get_by_role("button", name="Leave out").click()
    expect(page.get_by_text("is left out of this import")).to_be_visible()
    screenshot(page, "rmm-inventory-preview")

    page.get_by_role("button", name="Confirm and import without that row").click()
    expect(page.get_by_text("Left out row 6.")).to_be_visible()
    assert sorted(
        ClientTechnology.objects.filter(client=northlight).values_list(
            "skill__name", "version__label", "quantity"
        )
    ) == [("QuickBooks Desktop", "2024", 1), ("Windows", "11", 2)]
