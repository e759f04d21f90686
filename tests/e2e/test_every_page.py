"""Every page of the app, and the admin's, in a real Chromium under the Content-Security-Policy:
no violation, no script error, and the security headers on each (DESIGN "Security and
operations"). The pages come from the URL resolver, so a page added later is visited too."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from agreements.coverage.runs import coverage_run_execute
from agreements.imports.services import import_batch_create
from agreements.models import Agreement
from tests.app_pages import VIEWS, page_url, takes_other_arguments
from tests.conftest import PASSWORD

# Logging out would end the visit; JSON, CSV and monitoring answers have no page to look at.
NOT_VISITED = {"logout", "health"}
PAGES = sorted(
    name
    for name, view in VIEWS.items()
    if hasattr(view, "get") and name not in NOT_VISITED and not takes_other_arguments(name)
)
ADMIN_PAGES = [
    "/admin/",
    "/admin/agreements/agreement/",
    "/admin/clients/client/add/",
    "/admin/agreements/importbatch/add/",
    "/admin/axes/accessattempt/",
    "/admin/django_celery_beat/periodictask/",
]

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def demo(e2e_database):
    call_command("seed_demo", stdout=StringIO())
    coverage_run_execute(run_date=timezone.localdate())


@pytest.fixture
def watched(page):
    """The page, with every CSP violation and script error it meets recorded."""
    problems = []
    page.add_init_script(WATCH_VIOLATIONS)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(f"console: {message.text}"),
    )
    return page, problems


def visit(page, problems, url) -> list[str]:
    """Open `url`; what went wrong there: its status, missing headers, violations, errors."""
    problems.clear()
    response = page.request.get(url)
    found = []
    if "text/html" in response.headers.get("content-type", ""):
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        found += page.evaluate("window.__violations")
    if response.status >= 400:
        found.append(f"answered {response.status}")
    headers = response.headers
    policy = headers.get("content-security-policy", "")
    if "default-src 'self'" not in policy or "unsafe-inline" in policy:
        found.append(f"Content-Security-Policy is {policy!r}")
    if "camera=()" not in headers.get("permissions-policy", ""):
        found.append("no Permissions-Policy")
    found += problems
    return [f"{url}: {problem}" for problem in found]


def test_every_page_works_under_the_content_security_policy(demo, watched, log_in, consultant):
    page, problems = watched
    log_in(consultant)
    # An import's preview page exists once a file is uploaded: the sample RMM inventory, with
    # its unknown product.
    import_batch_create(
        user=consultant,
        kind="environment",
        filename="rmm-software-inventory.csv",
        data=(settings.BASE_DIR / "demo" / "samples" / "rmm-software-inventory.csv").read_bytes(),
    )

    failures = [failure for name in PAGES for failure in visit(page, problems, page_url(name))]

    assert failures == []


def test_the_admin_works_under_the_content_security_policy(demo, watched, admin_user):
    page, problems = watched
    device = TOTPDevice.objects.get(user=admin_user, confirmed=True)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Authentication code").fill(f"{code:06d}")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    agreement = Agreement.objects.order_by("pk").first()
    pages = [*ADMIN_PAGES, f"/admin/agreements/agreement/{agreement.pk}/change/"]

    failures = [failure for url in pages for failure in visit(page, problems, url)]

    assert failures == []
