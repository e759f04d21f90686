"""A consultant imports a client's environment from an RMM file in the browser: the preview,
an unknown product mapped, the confirmation, then the environment and the requirements it
derives on the client's pages."""

import datetime
from decimal import Decimal

from playwright.sync_api import expect

from agreements.models import Service
from agreements.service_catalog import load_catalog
from agreements.services import agreement_create
from tests.clients.factories import ClientFactory

INVENTORY = (
    "Organization;Device Name;Software;Display Version\r\n"
    "Harbor Vets;SRV-01;Microsoft Exchange Server 2016 CU23;15.1.2507\r\n"
    "Harbor Vets;FRONT-01;Microsoft Windows 11 Pro;10.0.22631\r\n"
    "Harbor Vets;FRONT-02;Microsoft Windows 11 Pro;10.0.22631\r\n"
    "Harbor Vets;FRONT-01;VetPractice Cloud Bridge;3.1\r\n"
).encode("cp1252")


def test_consultant_imports_an_environment_and_sees_what_it_requires(
    page, log_in, consultant, screenshot
):
    load_catalog()
    harbor = ClientFactory(name="Harbor Vets")
    agreement = agreement_create(
        client=harbor,
        title="Managed IT",
        start_date=datetime.date(2026, 1, 1),
        annual_value=Decimal("18000"),
        status="active",
        services=[
            Service.objects.get(name="Email & Microsoft 365 Administration"),
            Service.objects.get(name="Line-of-Business Application Support"),
        ],
    )
    log_in(consultant)
    page.get_by_role("link", name="Import").click()
    page.locator("#id_kind").select_option("environment")
    page.locator("#id_file").set_input_files(
        files=[{"name": "inventory.csv", "mimeType": "text/csv", "buffer": INVENTORY}]
    )
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", name="Products Covered does not know")).to_be_visible()
    expect(page.locator("#preview-rows tr[data-status=new]")).to_have_count(2)
    page.get_by_label("Skill of VetPractice Cloud Bridge").select_option(
        label="IDEXX Cornerstone (version from the file)"
    )
    page.get_by_role("button", name="Map", exact=True).click()
    expect(page.get_by_text("is now read as IDEXX Cornerstone")).to_be_visible()
    expect(page.locator("#preview-rows tr[data-status=new]")).to_have_count(3)
    screenshot(page, "import-preview")

    page.get_by_role("button", name="Confirm and import").click()
    expect(page.get_by_text("Imported inventory.csv: 3 new")).to_be_visible()

    page.goto(f"/clients/{harbor.pk}/")
    environment = page.locator("section[aria-labelledby=environment-heading]")
    expect(environment).to_contain_text("Exchange Server")
    expect(environment).to_contain_text("IDEXX Cornerstone")
    required = page.locator("section[aria-labelledby=requirements-heading]")
    expect(required).to_contain_text("Exchange Server 2016 at level 3+")
    expect(required).to_contain_text("IDEXX Cornerstone at level 3+")
    screenshot(page, "client-page")
    page.get_by_role("link", name=agreement.reference).first.click()
    expect(page.get_by_text("Exchange Server 2016 at level 3+")).to_be_visible()
    expect(page.get_by_text("IDEXX Cornerstone at level 3+")).to_be_visible()
