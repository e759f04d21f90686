"""Every page of the app, and the admin's, in a real Chromium under the Content-Security-Policy:
no violation, no script error, and the security headers on each, Cache-Control among them
(DESIGN "Security and operations"). The pages come from the URL resolver, so a page added later
is visited too."""

from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from agreements.connectors.services import connection_create
from agreements.coverage.models import CoverageFlag
from agreements.coverage.runs import coverage_run_execute
from agreements.imports.flow import import_batch_create
from agreements.models import Agreement
from skills.models import Skill, Technician
from skills.proposals.services import skill_proposal_create
from tests.app_pages import VIEWS, page_url, takes_other_arguments
from tests.conftest import PASSWORD
from tests.skills.proposals.conftest import PDF
from tests.skills.team_time.factories import team_time_rows

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
def demo(e2e_database, admin_user, tmp_path, monkeypatch):
    """The demo with its first check, an import waiting for its preview to be confirmed (the
    sample RMM inventory, with its unknown product) and a connection to an RMM: the crawls log
    in as the admin, who is also a technician of the team with a proposal (and its evidence)
    waiting."""
    monkeypatch.setattr(settings, "PRIVATE_MEDIA_ROOT", tmp_path / "private")
    call_command("seed_demo", stdout=StringIO())
    team_time_rows()
    coverage_run_execute(run_date=timezone.localdate())
    technician = Technician.objects.order_by("pk").first()
    Technician.objects.filter(pk=technician.pk).update(user=admin_user)
    technician.user = admin_user
    skill_proposal_create(
        technician=technician,
        proposed_by=admin_user,
        skill=Skill.objects.exclude(technician_skills__technician=technician).first(),
        level=2,
        evidence=SimpleUploadedFile("course.pdf", PDF, content_type="application/pdf"),
    )
    import_batch_create(
        user=admin_user,
        kind="environment",
        filename="rmm-software-inventory.csv",
        data=(settings.BASE_DIR / "demo" / "samples" / "rmm-software-inventory.csv").read_bytes(),
    )
    # A connection to an RMM, for the connections' pages (never synced: no vendor is called).
    connection_create(
        kind="ninjaone",
        name="Head office RMM",
        base_url="https://app.ninjarmm.com",
        credentials={"client_id": "covered-demo", "client_secret": "not-a-real-secret"},
        syncs=["clients", "environments"],
        user=admin_user,
    )


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
    # Every crawl is signed in: no page of the session may be kept by a proxy or on disk.
    cache_control = {part.strip() for part in headers.get("cache-control", "").split(",")}
    if not {"private", "no-store"} <= cache_control:
        found.append(f"Cache-Control is {headers.get('cache-control')!r}")
    found += problems
    return [f"{url}: {problem}" for problem in found]


def test_every_page_works_under_the_content_security_policy(demo, watched, admin_user):
    page, problems = watched
    # The admin (with the second factor) may open every page, the settings page too.
    log_in_on(page, admin_user)

    failures = [failure for name in PAGES for failure in visit(page, problems, page_url(name))]

    assert failures == []


def test_the_admin_works_under_the_content_security_policy(demo, watched, admin_user):
    page, problems = watched
    log_in_on(page, admin_user, login_url="/admin/login/")
    agreement = Agreement.objects.order_by("pk").first()
    pages = [*ADMIN_PAGES, f"/admin/agreements/agreement/{agreement.pk}/change/"]

    failures = [failure for url in pages for failure in visit(page, problems, url)]

    assert failures == []


# Swagger UI, the API's reference for integrators, is drf-spectacular-sidecar's page as it ships
# (axe-core finds its colours and nested controls wanting); the CSP crawl above still visits it.
THIRD_PARTY_UI = {"api:docs"}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# What axe-core must never find on a page; it reports minor and moderate ones too.
BLOCKING_IMPACTS = {"serious", "critical"}
AXE = Axe()


@pytest.fixture
def new_page(browser, live_server):
    """A page of a fresh browser context of the given viewport size."""
    contexts = []

    def new_page(viewport):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, is_mobile=viewport == PHONE
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def log_in_on(page, user, *, login_url="/accounts/login/") -> None:
    """Log `user` in through the login form at `login_url`, with a code when they have a
    second factor."""
    page.goto(login_url)
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device:
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.get_by_label("Authentication code").fill(f"{code:06d}")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: login_url not in url)


def open_html(page, url) -> bool:
    """Open `url` if it is a page to look at (not a CSV or JSON answer)."""
    if "text/html" not in page.request.get(url).headers.get("content-type", ""):
        return False
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return True


def sideways_scroll(page, url) -> list[str]:
    if not open_html(page, url):
        return []
    width = page.evaluate("document.documentElement.scrollWidth")
    return [f"{url}: {width} px wide"] if width > PHONE["width"] else []


def accessibility_violations(page, url) -> list[str]:
    """axe-core's serious and critical violations on `url`, one line per rule with where."""
    if not open_html(page, url):
        return []
    return axe_failures(page, url)


def axe_failures(page, where) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    violations = AXE.run(page).response["violations"]
    return [
        f"{where}: {violation['impact']} {violation['id']} ({violation['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in violations
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def two_factor_violations(page) -> list[str]:
    """axe-core on the two-factor pages that visiting URLs does not reach: a new phone's QR code,
    a wrong first code, and new recovery codes (shown once, in answer to a POST)."""
    two_factor = reverse("two_factor")
    failures = accessibility_violations(page, f"{two_factor}?replace=1")
    page.get_by_label("Code from the app").fill("abcdef")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("alert")).to_contain_text("does not match")
    failures += axe_failures(page, f"{two_factor} (a wrong code)")
    open_html(page, two_factor)
    page.get_by_role("button", name="New recovery codes").click()
    expect(page.get_by_test_id("recovery-codes")).to_be_visible()
    return failures + axe_failures(page, f"{two_factor} (new recovery codes)")


def test_no_page_scrolls_sideways_on_a_phone(demo, new_page, admin_user):
    page = new_page(PHONE)
    log_in_on(page, admin_user)

    too_wide = [problem for name in PAGES for problem in sideways_scroll(page, page_url(name))]

    assert not too_wide, "Pages wider than a phone:\n" + "\n".join(too_wide)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_page_has_a_serious_accessibility_violation(demo, new_page, admin_user, viewport):
    page = new_page(viewport)
    logged_out = [
        failure
        for url in ["/accounts/login/", "/admin/login/", "/accounts/password_reset/"]
        for failure in accessibility_violations(page, url)
    ]
    log_in_on(page, admin_user)

    failures = logged_out + [
        failure
        for name in PAGES
        if name not in THIRD_PARTY_UI
        for failure in accessibility_violations(page, page_url(name))
    ]
    failures += two_factor_violations(page)

    assert not failures, "axe-core found:\n" + "\n".join(failures)


# Cells of words narrower than 8 characters of their own font (padding aside) while their content
# wants more, and choices whose chosen text is cut below 8 characters: what a phone squeezes when
# a table does not scroll in its box. Each as "column|choice width < wanted px: text".
SQUEEZED = """
() => {
  const WORD = /\\p{L}{2,}/u;
  const canvas = document.createElement("canvas").getContext("2d");
  const textWidth = (text, element) => {
    canvas.font = getComputedStyle(element).font;
    return canvas.measureText(text).width;
  };
  const contentWidth = (element) => {
    const style = getComputedStyle(element);
    return element.getBoundingClientRect().width
      - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      - parseFloat(style.borderLeftWidth) - parseFloat(style.borderRightWidth);
  };
  const unwrappedWidth = (cell) => {
    const copy = document.createElement("div");
    copy.style.cssText = "position: absolute; visibility: hidden; width: max-content; margin: 0";
    copy.innerHTML = cell.innerHTML;
    cell.appendChild(copy);
    const width = copy.getBoundingClientRect().width;
    copy.remove();
    return width;
  };
  const found = [];
  const check = (what, width, wanted, text) => {
    if (width + 1 < wanted) {
      found.push(`${what} ${Math.round(width)} < ${Math.round(wanted)} px: ${text.slice(0, 40)}`);
    }
  };
  for (const cell of document.querySelectorAll("td, th")) {
    const text = cell.innerText.trim();
    if (!cell.getClientRects().length || !WORD.test(text)) continue;
    const wanted = Math.min(textWidth("00000000", cell), unwrappedWidth(cell));
    check("column", contentWidth(cell), wanted, text);
  }
  for (const select of document.querySelectorAll("select:not([multiple])")) {
    const text = select.selectedOptions[0]?.text.trim() || "";
    if (!select.getClientRects().length) continue;
    const wanted = Math.min(textWidth("00000000", select), textWidth(text, select));
    check("choice", contentWidth(select), wanted, text);
  }
  return found;
}
"""


def squeezed_on(page, url) -> list[str]:
    if not open_html(page, url):
        return []
    return [f"{url}: {problem}" for problem in page.evaluate(SQUEEZED)]


def test_no_column_of_words_nor_choice_is_squeezed_on_a_phone(demo, new_page, admin_user):
    page = new_page(PHONE)
    log_in_on(page, admin_user)

    squeezed = [problem for name in PAGES for problem in squeezed_on(page, page_url(name))]

    assert not squeezed, "Squeezed below 8 characters on a phone:\n" + "\n".join(squeezed)


def test_a_flag_is_acknowledged_from_the_dashboard_on_a_phone(demo, new_page, admin_user):
    page = new_page(PHONE)
    log_in_on(page, admin_user)
    open_html(page, reverse("coverage:dashboard"))
    flags = page.locator("section[aria-labelledby=open-flags]")
    since = flags.get_by_role("columnheader", name="Since")
    acknowledge = flags.get_by_role("button", name="Acknowledge").first

    since.scroll_into_view_if_needed()
    expect(since).to_be_in_viewport()
    acknowledge.scroll_into_view_if_needed()
    expect(acknowledge).to_be_in_viewport()
    acknowledge.click()

    expect(flags.get_by_text("Acknowledged by")).to_be_visible()
    assert CoverageFlag.objects.filter(acknowledged_by=admin_user).count() == 1
