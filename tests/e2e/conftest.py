"""A real Chromium driven by Playwright against pytest-django's live server.

Fixtures: `browser` (a Chromium per test), `page` (a fresh context, base URL set to the live
server), `log_in` (logs a user in through the login form), `screenshot` (saves into test-results/),
`catalog` (Exchange and Windows Server, and a service covering Exchange).
"""

import os
import re

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from tests.agreements.factories import ServiceFactory
from tests.conftest import PASSWORD
from tests.skills.factories import SkillFactory, SkillVersionFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULTS_DIR = settings.BASE_DIR / "test-results"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def browser(e2e_database, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test itself
    # makes are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Per test, not per session: while Playwright runs, Django keeps database connections per
    # async context instead of per thread, so the database must be set up and flushed outside it.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # The test's own queries opened connections of their own: close them before the flush.
        connections.close_all()


@pytest.fixture(autouse=True)
def e2e_database(transactional_db):
    """The live server sees committed data: every browser test runs on a real transaction."""


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(page):
    """Log a user in through the login form; the page then shows the dashboard."""

    def log_in(user, password=PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        return page

    return log_in


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot as test-results/<test name>[-<suffix>].png."""

    def screenshot(page, suffix=""):
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name) + (f"-{suffix}" if suffix else "")
        path = RESULTS_DIR / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return screenshot


@pytest.fixture
def catalog():
    """Exchange (2013, 2016) and Windows Server (2022), and a service covering Exchange."""
    exchange = SkillFactory(name="Exchange")
    SkillVersionFactory(skill=exchange, label="2013", rank=1)
    exchange_2016 = SkillVersionFactory(skill=exchange, label="2016", rank=2)
    windows = SkillFactory(name="Windows Server")
    windows_2022 = SkillVersionFactory(skill=windows, label="2022", rank=1)
    service = ServiceFactory(name="Managed email")
    service.skills_in_scope.add(exchange)
    return {
        "exchange": exchange,
        "exchange_2016": exchange_2016,
        "windows": windows,
        "windows_2022": windows_2022,
        "service": service,
    }


def choose(page, name: str, text: str, value) -> None:
    """Type `text` in the search box of the form field `name` (core AutocompleteSelect) and wait
    until the form holds the row it names, `value`."""
    page.locator(f"#id_{name}").fill(text)
    expect(page.locator(f'input[type="hidden"][name="{name}"]')).to_have_value(str(value))
