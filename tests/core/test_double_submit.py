"""A double click, eight times over: identical posts of a new object at the same moment, each in
its own request and database connection, as gunicorn's workers would serve them."""

import threading

import pytest
from django.db import connection
from django.test import Client as Browser
from django.urls import reverse

from clients.models import Client
from skills.models import Technician
from tests.forms import formset

pytestmark = pytest.mark.integration

POSTS = 8


def post_at_once(session_cookie, url, data):
    """The responses of POSTS identical posts released together."""
    barrier = threading.Barrier(POSTS)
    responses = [None] * POSTS

    def post(index):
        browser = Browser(raise_request_exception=False)
        browser.cookies["sessionid"] = session_cookie
        try:
            barrier.wait(timeout=30)
            responses[index] = browser.post(url, data)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(index,)) for index in range(POSTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


@pytest.fixture
def session_cookie(client, consultant):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers")
    client.force_login(consultant)
    return client.cookies["sessionid"].value


@pytest.mark.parametrize(
    ("url_name", "model", "data"),
    [
        (
            "clients:create",
            Client,
            {
                "name": "Harbor Dental",
                "status": "active",
                "seats": "14",
                "time_zone": "America/New_York",
                **formset("contacts", []),
                **formset("environment", []),
            },
        ),
        (
            "skills:technician_create",
            Technician,
            {
                "name": "Dana Ortiz",
                "email": "dana.ortiz@covered.example",
                "status": "active",
                "time_zone": "America/New_York",
                **formset("skills", []),
                **formset("certifications", []),
            },
        ),
    ],
)
def test_identical_posts_at_once_save_one_and_answer_the_rest_with_the_form(
    transactional_db, session_cookie, url_name, model, data
):
    responses = post_at_once(session_cookie, reverse(url_name), data)

    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(302) == 1 and statuses.count(200) == POSTS - 1, statuses
    assert model.objects.count() == 1
    for response in responses:
        if response.status_code == 200:
            assert response.context["form"].errors, "the form says why it was not saved"
