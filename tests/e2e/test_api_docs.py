"""Swagger UI, served by the app, works under the Content-Security-Policy: it renders the
schema's operations and the browser blocks nothing."""

from playwright.sync_api import expect

from tests.e2e.test_every_page import WATCH_VIOLATIONS


def test_swagger_ui_renders_the_api_under_the_content_security_policy(page, log_in, consultant):
    problems = []
    page.add_init_script(WATCH_VIOLATIONS)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    log_in(consultant)

    response = page.goto("/api/docs/")

    expect(page.locator(".opblock-summary-path", has_text="/api/v1/clients/").first).to_be_visible()
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert page.evaluate("window.__violations") == []
    assert problems == []
