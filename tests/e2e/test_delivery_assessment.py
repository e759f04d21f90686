"""The prospect check prints as a delivery assessment to attach to a proposal: the verdict, the
requirements with the named people and the training plan with its dates, without the app's
menus, form and buttons."""

from playwright.sync_api import expect

from tests.agreements.factories import ServiceFactory
from tests.skills.factories import SkillFactory, TechnicianFactory, TechnicianSkillFactory


def test_the_prospect_check_prints_as_a_delivery_assessment(page, log_in, consultant):
    exchange = SkillFactory(name="Exchange Server")
    exchange.versions.create(label="2016", rank=16)
    service = ServiceFactory(name="Managed email", min_level=3)
    service.skills_in_scope.add(exchange)
    TechnicianSkillFactory(technician=TechnicianFactory(name="Dana Ortiz"), skill=exchange, level=2)
    log_in(consultant)
    page.goto("/pre-sale/")
    page.get_by_label("Managed email").check()
    page.get_by_label("Technologies").fill("Exchange Server 2016")
    page.get_by_label("Start date").fill("2027-03-01")
    page.get_by_label("Prospect's name").fill("Quarry Hill Veterinary")
    page.get_by_role("button", name="Check the deal").click()
    expect(page.get_by_role("button", name="Print the assessment")).to_be_visible()

    page.emulate_media(media="print")

    expect(page.get_by_test_id("assessment-heading")).to_contain_text(
        "Delivery assessment: Quarry Hill Veterinary"
    )
    expect(page.get_by_test_id("prospect-verdict")).to_contain_text("Not deliverable")
    expect(page.get_by_text("Dana Ortiz", exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Check the deal")).to_be_hidden()
    expect(page.locator(".site-navbar")).to_be_hidden()
    assert page.pdf()[:4] == b"%PDF"
