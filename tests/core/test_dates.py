"""Dates for people read "16 Jan 2027" on every page and in the report email; an ISO date is
only where a machine reads it: datetime= of <time>, data- attributes, the values of inputs,
links and form actions."""

import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from agreements.coverage.models import CoverageRun
from agreements.coverage.report import coverage_report_message
from agreements.coverage.runs import coverage_run_execute
from tests.app_pages import VIEWS, page_url, takes_other_arguments

ISO_DATE = re.compile(r"\b(19|20|21)\d\d-[01]\d-[0-3]\d\b")
# "Jan 16, 2027" or "Sept. 30, 2025": the other order, which people here do not write.
MONTH_FIRST_DATE = re.compile(r"\b[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}\b")
# Attributes a machine reads; every other attribute (title, aria-label, placeholder …) and all
# text are for people.
MACHINE_ATTRIBUTES = {"href", "action", "datetime", "value", "min", "max", "name", "id", "for"}
PAGES = sorted(
    name
    for name, view in VIEWS.items()
    if hasattr(view, "get") and name not in {"logout", "health"} and not takes_other_arguments(name)
)


class _PeopleText(HTMLParser):
    """The text and the attributes of a page that people read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if value and name not in MACHINE_ATTRIBUTES and not name.startswith("data-"):
                self.parts.append(f"<{tag} {name}> {value}")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def iso_dates_for_people(html: str) -> list[str]:
    parser = _PeopleText()
    parser.feed(html)
    return [
        part[:160]
        for part in parser.parts
        if ISO_DATE.search(part) or MONTH_FIRST_DATE.search(part)
    ]


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    return coverage_run_execute(run_date=timezone.localdate())


def test_no_page_shows_an_iso_date_to_people(demo, admin_client):
    found = {}
    visited = 0
    for name in PAGES:
        url = page_url(name)
        response = admin_client.get(url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        visited += 1
        dates = iso_dates_for_people(response.content.decode())
        if dates:
            found[url] = dates

    assert visited > 30
    assert found == {}


def test_the_report_email_shows_no_iso_date(demo):
    run = CoverageRun.objects.get()
    message = coverage_report_message(
        coverage_check=run.coverage_check, recipients=["olivia@example.com"]
    )
    html = message.alternatives[0][0]

    assert iso_dates_for_people(message.subject) == []
    assert iso_dates_for_people(message.body) == []
    assert iso_dates_for_people(html) == []
