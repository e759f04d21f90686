import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_with_the_right_password_lands_on_the_dashboard(client, consultant):
    response = client.post(
        reverse("login"), {"username": consultant.username, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [(reverse("coverage:dashboard"), 302)]
    assert response.wsgi_request.user == consultant


def test_login_goes_back_to_the_page_that_asked_for_it(client, consultant):
    response = client.post(
        f"{reverse('login')}?next={reverse('clients:list')}",
        {"username": consultant.username, "password": PASSWORD, "next": reverse("clients:list")},
    )

    assert response.status_code == 302
    assert response.url == reverse("clients:list")


def test_wrong_password_shows_an_error_and_opens_no_session(client, consultant):
    response = client.post(
        reverse("login"), {"username": consultant.username, "password": "not-the-password"}
    )

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not response.wsgi_request.user.is_authenticated


def test_logout_refuses_get(consultant_client):
    response = consultant_client.get(reverse("logout"))

    assert response.status_code == 405
    assert consultant_client.get(reverse("coverage:dashboard")).status_code == 200


def test_logout_by_post_ends_the_session(consultant_client):
    response = consultant_client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert consultant_client.get(reverse("coverage:dashboard")).status_code == 302


def test_password_change_sets_the_new_password(client, consultant):
    client.force_login(consultant)
    new_password = "a-much-longer-pass-phrase-7"

    form = client.get(reverse("password_change"))
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )

    assert form.status_code == 200
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    consultant.refresh_from_db()
    assert consultant.check_password(new_password)


def test_password_change_with_a_wrong_old_password_says_so(consultant_client, consultant):
    response = consultant_client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "x-9-y-8-z-7-w",
            "new_password2": "x-9-y-8-z-7-w",
        },
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    consultant.refresh_from_db()
    assert consultant.check_password(PASSWORD)


def test_password_reset_mails_a_link_that_sets_a_new_password(
    client, consultant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": consultant.email})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [consultant.email]
    assert message.subject == "Choose a new Covered password"

    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "another-long-pass-phrase-42"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )

    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    consultant.refresh_from_db()
    assert consultant.check_password(new_password)


def test_password_reset_for_an_unknown_address_sends_nothing(client, consultant):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert mail.outbox == []
