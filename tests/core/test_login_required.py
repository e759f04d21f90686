"""Every page needs a login, except the login and password-reset pages.

The URL patterns are found by walking the resolver, so a page added later is checked without
touching this file.
"""

import itertools
import uuid

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

PUBLIC_PAGES = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "admin:login",
}

# Values tried for each captured parameter: ids, slugs, uuids and (for the admin) app labels.
SAMPLE_VALUES = [
    "1",
    "x",
    ".json",
    str(uuid.UUID(int=1)),
    *(c.label for c in apps.get_app_configs()),
]


def fillings(pattern):
    """Every way of filling the pattern's parameters with sample values, as literal text."""
    for template, params in normalize(pattern.pattern.regex.pattern):
        for values in itertools.product(SAMPLE_VALUES, repeat=len(params)):
            yield template % dict(zip(params, values, strict=True))


def url_patterns(patterns=None, prefixes=("",), namespace=""):
    """Yield (name, sample path) for every endpoint; the path resolves to that endpoint."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        candidates = (prefix + filling for prefix in prefixes for filling in fillings(pattern))
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, list(candidates), inner)
            continue
        path = sample_path(pattern, candidates)
        yield (f"{namespace}{pattern.name}" if pattern.name else path), path


def sample_path(pattern, candidates):
    """A path that reaches the pattern's view; for a pattern an earlier one shadows, a path of
    the same shape (it is served by the earlier view, which is then what must need a login)."""
    shadowed = None
    for candidate in candidates:
        path = "/" + candidate
        try:
            func = resolve(path).func
        except Resolver404:
            continue
        if func == pattern.callback:
            return path
        shadowed = shadowed or path
    if shadowed:
        return shadowed
    raise AssertionError(f"no sample value fills {str(pattern.pattern)!r}: extend SAMPLE_VALUES")


ALL_PAGES = dict(url_patterns())
# Without a login: monitoring (tests/core/test_health.py covers what it answers) and calendar
# feeds, opened by calendar apps with the secret in the URL (404 without the right one:
# tests/agreements/coverage/test_calendar.py).
MONITORING_ENDPOINTS = {"health", "coverage:calendar_feed"}
# The API answers for itself: 401 and a WWW-Authenticate header, not a redirect to a page.
API_ENDPOINTS = {
    name: path
    for name, path in ALL_PAGES.items()
    if path.startswith("/api/") and name not in {"api:docs", "api:tokens"}
}
PROTECTED_PAGES = {
    name: path
    for name, path in ALL_PAGES.items()
    if name not in PUBLIC_PAGES | MONITORING_ENDPOINTS | set(API_ENDPOINTS)
}


def test_the_walk_finds_the_pages_of_every_part_of_the_site():
    assert {"login", "logout", "password_change", "coverage:dashboard", "admin:index"} <= set(
        ALL_PAGES
    )
    assert set(ALL_PAGES) >= PUBLIC_PAGES


@pytest.mark.django_db
@pytest.mark.parametrize("path", PROTECTED_PAGES.values(), ids=PROTECTED_PAGES.keys())
def test_anonymous_visitor_is_sent_to_log_in(client, path):
    response = client.get(path)

    # The admin's own views send visitors to the admin's login page; both log in the same way.
    login_urls = [reverse("login")]
    if path.startswith("/admin/"):
        login_urls.append(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(tuple(f"{url}?next=" for url in login_urls))


@pytest.mark.django_db
@pytest.mark.parametrize("path", API_ENDPOINTS.values(), ids=API_ENDPOINTS.keys())
def test_anonymous_api_caller_is_told_to_authenticate(client, path):
    response = client.get(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PUBLIC_PAGES))
def test_login_and_password_reset_pages_are_open_to_anonymous_visitors(client, name):
    response = client.get(ALL_PAGES[name])

    assert response.status_code == 200
