"""No input gives a 500 or a silent change (DESIGN "Security and operations"): for every page of
the app with a form, and every page that reads its query string, generated submissions as a
consultant (long strings, NUL bytes, unicode, huge and negative numbers, impossible dates,
unknown ids, tampered management forms). No answer is 5xx, a GET changes no row, and a
refused POST (anything but a redirect) changes no row of the domain tables.

The pages are found by walking the URL resolver, so a page added later is fuzzed too."""

import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core import groups
from skills.models import Technician
from tests.app_pages import UNKNOWN_ID, VIEWS, page_url, takes_other_arguments, takes_pk
from tests.clients.factories import ClientFactory
from tests.conftest import make_user
from tests.html_forms import form_data, page_forms

pytestmark = pytest.mark.django_db

DOMAIN_APPS = ("clients", "skills", "agreements")  # their history tables included
# Ending the session would log the fuzzer out. Pages whose URL holds a secret (a mailed reset
# token, a calendar feed's) are left out too: tests/core/test_security.py and the calendar
# feed's tests try theirs.
SKIPPED = {"logout"}
# Monitoring answers 503 when a part is down (here: no worker runs), by design.
UNAVAILABLE_BY_DESIGN = {"health"}
# Pages for staff with their second factor: fuzzed as the admin.
ADMIN_ONLY = {"coverage:settings"}
# A technician's own pages: fuzzed as a login linked to a technician of the demo team.
TECHNICIAN_PAGES = {
    "skills:my_skills",
    "skills:proposal_skill_create",
    "skills:proposal_certification_create",
    "skills:proposal_withdraw",
    "skills:my_skill_confirm",
}
# Besides the domain: the beat schedule and the group memberships the settings page writes.
OTHER_TABLES = (
    "django_celery_beat_crontabschedule",
    "django_celery_beat_periodictask",
    "auth_user_groups",
)
# Query parameters pages read besides their filter forms.
QUERY_NAMES = ("page", "q", "skill", "scope", "sort", "next", "section", "technicians", "date")

NASTY = st.one_of(
    st.text(max_size=200),
    st.text(max_size=20).map(lambda text: f"{text}\x00{text}"),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "-1",
            "0",
            str(UNKNOWN_ID),
            "1e309",
            "NaN",
            "9" * 40,
            "2026-02-30",
            "0000-00-00",
            "9999-12-31",
            "99999-01-01",
            "1899-12-31",
            "31/12/2026",
            "x" * 20000,
            "=1+1",
            "<script>alert(1)</script>",
            "'; DROP TABLE clients_client; --",
            "//evil.example/",
            "https://evil.example/",
            "x%00y",
            "\u202e\u0645\U0001f642" * 30,
        ]
    ),
)
DROP = object()  # leave the field out of the submission


FUZZED = {name for name in VIEWS if name not in SKIPPED and not takes_other_arguments(name)}
POSTED = sorted(name for name in FUZZED if hasattr(VIEWS[name], "post"))
READ = sorted(FUZZED)


def domain_state() -> list:
    """A digest of every row of the domain tables, to tell whether anything was written: one
    query, each table's rows hashed in PostgreSQL."""
    tables = sorted(
        [
            *(
                model._meta.db_table
                for app_label in DOMAIN_APPS
                for model in apps.get_app_config(app_label).get_models()
            ),
            *OTHER_TABLES,
        ]
    )
    digest = " UNION ALL ".join(
        f"SELECT '{table}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
        f" FROM {connection.ops.quote_name(table)} t"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(digest)
        return cursor.fetchall()


def resolves_to(action: str, name: str) -> bool:
    try:
        match = resolve(action.split("?")[0])
    except Resolver404:
        return False
    return match.view_name == name


def fields_for(client, name: str, url: str) -> dict:
    """The fields a browser would post to `name`: its own page's form, else the first form of
    another page of the app that posts there (an acknowledge button, a plan's row)."""
    response = client.get(url)
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        for form in page_forms(response.content.decode()):
            method = form["attrs"].get("method", "get").lower()
            if method == "post" and not form["attrs"].get("action"):
                return form_data(form)
    for host in READ:
        response = client.get(page_url(host))
        if "html" not in response.get("Content-Type", ""):
            continue
        for form in page_forms(response.content.decode()):
            action = form["attrs"].get("action", "")
            if form["attrs"].get("method", "").lower() == "post" and resolves_to(action, name):
                return form_data(form)
    return {}


def query_names(client, url: str) -> list[str]:
    response = client.get(url)
    names = set(QUERY_NAMES)
    if "html" in response.get("Content-Type", ""):
        for form in page_forms(response.content.decode()):
            if form["attrs"].get("method", "get").lower() == "get":
                names.update(field for field, _ in form["fields"])
    return sorted(names)


def row_field_names(fields) -> list[str]:
    """Names of rows a formset did not render (a row past the end, a far one), beside the
    rendered ones: submissions that add rows the management form does not count."""
    extra = []
    for field in fields:
        match = re.fullmatch(r"(.+)-(\d+)-(\w+)", field)
        if match:
            prefix, _, attribute = match.groups()
            extra += [f"{prefix}-{index}-{attribute}" for index in (7, 199, 200, 10**6)]
    return sorted(set(extra))


def mutations(names):
    value = st.one_of(NASTY, st.lists(NASTY, min_size=2, max_size=3), st.just(DROP))
    return st.dictionaries(st.sampled_from(names), value, min_size=1, max_size=6)


def applied(base: dict, changes: dict) -> dict:
    data = dict(base)
    for name, value in changes.items():
        if value is DROP:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def with_every_field(names, **other_arguments):
    """Explicit cases besides the generated ones: each nasty kind in every field at once."""

    def decorate(test):
        for value in ("a\x00b", "9" * 40, "-1", "2026-02-30", str(UNKNOWN_ID), "x" * 20000):
            test = example(changes=dict.fromkeys(names, value), **other_arguments)(test)
        return test

    return decorate


FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def fuzzer(demo_portfolio, consultant, admin_user, client, request, django_user_model):
    """A client logged in as a consultant who also approves skill proposals (as the demo's),
    as the admin for the pages only admins open, or as a technician for their own pages."""
    name = request.node.callspec.params.get("name") if hasattr(request.node, "callspec") else None
    consultant.groups.add(Group.objects.get(name=groups.SKILL_APPROVERS))
    user = admin_user if name in ADMIN_ONLY else consultant
    if name in TECHNICIAN_PAGES:
        user = make_user(django_user_model, "fuzzed.technician", group=groups.TECHNICIAN)
        Technician.objects.filter(pk=Technician.objects.order_by("pk").first().pk).update(user=user)
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", POSTED)
def test_no_submission_gives_a_500_or_a_silent_change(fuzzer, name):
    url = page_url(name)
    base = fields_for(fuzzer, name, url)
    names = sorted({*base, *row_field_names(base), "next"})

    @FUZZ
    @given(changes=mutations(names), unknown_pk=st.booleans())
    @example(changes={}, unknown_pk=True)
    @with_every_field(names, unknown_pk=False)
    def submit(changes, unknown_pk):
        target = page_url(name, UNKNOWN_ID) if unknown_pk and takes_pk(name) else url
        before = domain_state()
        response = fuzzer.post(target, applied(base, changes))
        assert response.status_code < 500, response.content[:2000]
        if response.status_code != 302:
            assert domain_state() == before, f"a refused submission to {target} wrote rows"

    submit()


@pytest.mark.parametrize("name", READ)
def test_no_query_gives_a_500_or_changes_anything(fuzzer, name):
    url = page_url(name)
    names = query_names(fuzzer, url)

    @FUZZ
    @given(changes=mutations(names))
    @with_every_field(names)
    def read(changes):
        before = domain_state()
        query = {key: value for key, value in changes.items() if value is not DROP}
        response = fuzzer.get(url, query)
        allowed = {503} if name in UNAVAILABLE_BY_DESIGN else set()
        assert response.status_code < 500 or response.status_code in allowed, response.content[
            :2000
        ]
        assert domain_state() == before, f"GET {url} wrote rows"

    read()


def test_the_digest_tells_a_write(demo_portfolio):
    before = domain_state()
    ClientFactory(name="Quillfeather Books")

    assert domain_state() != before
