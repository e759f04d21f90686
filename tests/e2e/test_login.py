import re

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def test_consultant_logs_in_and_lands_on_the_dashboard(page, consultant, screenshot):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", name="Log in to Covered")).to_be_visible()
    screenshot(page, "login")

    page.get_by_label("Username").fill(consultant.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("navigation", name="Main navigation")).to_contain_text("Dashboard")
    expect(page.get_by_role("button", name=consultant.username)).to_be_visible()
    assert screenshot(page, "dashboard").stat().st_size > 0


def test_wrong_password_keeps_the_visitor_on_the_login_page(page, consultant):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(consultant.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_log_out_from_the_user_menu(page, log_in, consultant):
    log_in(consultant)

    page.get_by_role("button", name=consultant.username).click()
    page.get_by_role("button", name="Log out").click()

    expect(page.get_by_role("heading", name="Log in to Covered")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
