"""A technician reads what consultants read and writes only their own proposals and time off:
every other page of the app refuses their POST with 403. The pages are found by walking the URL
resolver (tests/app_pages.py), so a page added later is checked too."""

import datetime

import pytest
from django.urls import reverse

from skills.models import TimeOff
from tests.app_pages import PATTERNS, VIEWS, existing_pk, takes_other_arguments, takes_pk
from tests.skills.factories import SkillProposalFactory

pytestmark = pytest.mark.django_db

# Pages a technician may post to, and why.
OWN_PAGES = {
    # Their own account: logging in and out, password, second factor, calendar feed, mail
    # settings, API tokens.
    "login": "their own login",
    "logout": "their own logout",
    "password_change": "their own password",
    "password_reset": "their own password",
    "two_factor": "their own second factor",
    "coverage:calendar_feed_settings": "their own calendar feed",
    "coverage:notifications": "their own notification settings",
    "api:tokens": "their own API tokens",
    # My skills: proposals are made for the login's own technician, and a withdrawal finds only
    # their own (404 for another's: tests/agreements/approvals/test_queue.py).
    "skills:proposal_skill_create": "proposes for their own technician only",
    "skills:proposal_certification_create": "proposes for their own technician only",
    "skills:proposal_withdraw": "finds only their own proposals",
    "skills:my_skill_confirm": "confirms only their own skills (404 for another's: "
    "tests/skills/proposals/test_my_skills.py)",
}


@pytest.fixture
def others_rows(lena):
    """Rows of another technician, for the pages that take an id."""
    return {
        "technician": lena[1],
        "time_off": TimeOff.objects.create(
            technician=lena[1],
            first_day=datetime.date(2026, 7, 1),
            last_day=datetime.date(2026, 7, 3),
        ),
        "proposal": SkillProposalFactory(technician=lena[1]),
    }


def walked_pages():
    return sorted(
        name for name in PATTERNS if name not in OWN_PAGES and not takes_other_arguments(name)
    )


def test_the_walk_reaches_the_consultants_write_pages():
    pages = set(walked_pages())
    assert {
        "skills:technician_update",
        "skills:time_off_create",
        "agreements:create",
        "clients:create",
        "planning:add_to_plan",
        "coverage:run_now",
        "approvals:queue",
    } <= pages


@pytest.mark.parametrize("name", walked_pages())
def test_a_technician_gets_403_for_a_post(client, sam, others_rows, name):
    client.force_login(sam[0])
    pk = None
    if takes_pk(name):
        model = getattr(VIEWS[name], "model", None)
        by_model = {
            "technician": others_rows["technician"].pk,
            "timeoff": others_rows["time_off"].pk,
            "skillproposal": others_rows["proposal"].pk,
        }
        pk = by_model.get(model._meta.model_name) if model else None
        pk = pk or (existing_pk(name) if model else 987654321)
    path = reverse(name, kwargs={"pk": pk}) if pk else reverse(name)

    response = client.post(path, {})

    assert response.status_code in (403, 405), (name, response.status_code)
    if response.status_code == 405:
        assert "POST" not in response["Allow"], name
