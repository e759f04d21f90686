"""Logins locked down: lockouts, a second factor for staff, password reset limits, sessions,
security headers and the health endpoint."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import tasks
from core.accounts import recovery_codes_renew
from core.exports import spreadsheet_safe
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 26, 15, 0, tzinfo=datetime.UTC)


def log_in(client, username, password, url=None, **extra):
    return client.post(
        url or reverse("login"), {"username": username, "password": password, **extra}
    )


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


# ------------------------------------------------------------------------------ lockouts


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, consultant):
    with time_machine.travel(NOW, tick=False):
        for _ in range(4):
            assert log_in(client, consultant.username, "wrong").status_code == 200
        assert log_in(client, consultant.username, "wrong").status_code == 429
        locked = log_in(client, consultant.username, PASSWORD)

    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", [reverse("login"), "/admin/login/"])
def test_a_username_longer_than_any_is_refused_with_a_message(client, url):
    response = log_in(client, "x" * 20000, "whatever", url=url)

    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_after_the_cool_off_the_right_password_works_again(client, consultant, settings):
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            log_in(client, consultant.username, "wrong")
    with time_machine.travel(NOW + settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1)):
        response = log_in(client, consultant.username, PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(consultant.pk)


def test_the_admin_login_locks_out_too(client, admin_user):
    for _ in range(5):
        log_in(client, admin_user.username, "wrong", url=reverse("admin:login"))

    response = log_in(client, admin_user.username, PASSWORD, url=reverse("admin:login"))

    assert response.status_code == 429


def test_lockouts_are_listed_and_cleared_in_admin(client, consultant, admin_user):
    for _ in range(5):
        log_in(client, consultant.username, "wrong")
    client.force_login(admin_user)

    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert consultant.username in listing.content.decode()
    attempt = AccessAttempt.objects.get(username=consultant.username)
    client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    client.logout()

    assert not AccessAttempt.objects.exists()
    assert log_in(client, consultant.username, PASSWORD).status_code == 302


# ------------------------------------------------------------------------------ second factor


def test_staff_without_a_second_factor_cannot_open_the_admin(client, django_user_model):
    staff = make_user(django_user_model, "sam.staff", is_staff=True, is_superuser=True)
    client.force_login(staff)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    page = client.get(response.url).content.decode()
    assert "set up two-factor authentication" in page.lower()


def test_staff_with_a_totp_code_opens_the_admin(client, django_user_model):
    staff = make_user(django_user_model, "sam.staff", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)

    without = log_in(client, staff.username, PASSWORD, url=reverse("admin:login"))
    assert without.status_code == 200
    assert "authenticator app" in without.content.decode()

    response = log_in(
        client, staff.username, PASSWORD, url=reverse("admin:login"), otp_token=current_code(device)
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_enrolling_shows_a_qr_code_then_recovery_codes_once(consultant_client, consultant):
    with time_machine.travel(NOW, tick=False):
        page = consultant_client.get(reverse("two_factor"))
        assert "<svg" in page.content.decode()
        device = TOTPDevice.objects.get(user=consultant, confirmed=False)
        wrong = consultant_client.post(reverse("two_factor"), {"token": "000000"})
        assert "does not match" in wrong.content.decode()
    # A wrong code makes the next try wait a moment (django-otp's throttling).
    with time_machine.travel(NOW + datetime.timedelta(seconds=30), tick=False):
        done = consultant_client.post(reverse("two_factor"), {"token": current_code(device)})
        after = consultant_client.get(reverse("two_factor"))

    device.refresh_from_db()
    assert device.confirmed
    assert len(done.context["recovery_codes"]) == 10
    assert "Two-factor authentication is on" in after.content.decode()


def test_a_user_with_a_second_factor_needs_the_code_to_log_in(client, consultant):
    device = TOTPDevice.objects.create(user=consultant, name="Phone", confirmed=True)

    without = log_in(client, consultant.username, PASSWORD)
    with_code = log_in(client, consultant.username, PASSWORD, otp_token=current_code(device))

    assert without.status_code == 200
    assert "6-digit code" in without.content.decode()
    assert with_code.status_code == 302


def test_a_recovery_code_logs_in_once(client, consultant):
    TOTPDevice.objects.create(user=consultant, name="Phone", confirmed=True)
    code = recovery_codes_renew(user=consultant)[0]

    first = log_in(client, consultant.username, PASSWORD, otp_token=code)
    client.logout()
    second = log_in(client, consultant.username, PASSWORD, otp_token=code)

    assert first.status_code == 302
    assert second.status_code == 200


# ------------------------------------------------------------------------------ password reset


@pytest.fixture
def queued(monkeypatch):
    """Records the reset tasks the requests queue, in place of sending them to the worker."""
    calls = []
    monkeypatch.setattr(tasks.send_password_reset, "delay", lambda **kwargs: calls.append(kwargs))
    return calls


def reset_request(client, email, capture_on_commit):
    """POST a reset request for `email`; its response and the SQL it ran, the task it queued
    recorded by `queued` once its transaction commits."""
    with capture_on_commit(execute=True), CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("password_reset"), {"email": email})
    return response, [query["sql"] for query in queries.captured_queries]


def test_password_reset_queues_the_same_task_for_a_known_and_an_unknown_address(
    client, consultant, queued, django_capture_on_commit_callbacks
):
    known, _ = reset_request(client, consultant.email, django_capture_on_commit_callbacks)
    unknown, _ = reset_request(client, "nobody@example.com", django_capture_on_commit_callbacks)

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert queued == [
        {"email": consultant.email, "domain": "testserver", "use_https": False},
        {"email": "nobody@example.com", "domain": "testserver", "use_https": False},
    ]
    assert mail.outbox == []


def test_password_reset_request_looks_nobody_up(
    client, consultant, queued, django_capture_on_commit_callbacks
):
    _, known_queries = reset_request(client, consultant.email, django_capture_on_commit_callbacks)
    _, unknown_queries = reset_request(
        client, "nobody@example.com", django_capture_on_commit_callbacks
    )

    assert len(known_queries) == len(unknown_queries)
    user_table = connection.ops.quote_name(get_user_model()._meta.db_table)
    assert [sql for sql in known_queries + unknown_queries if user_table in sql] == []


def test_the_reset_task_mails_the_link_only_to_a_known_address(consultant):
    tasks.send_password_reset.delay(
        email="nobody@example.com", domain="covered.example", use_https=True
    )
    assert mail.outbox == []

    tasks.send_password_reset.delay(
        email=consultant.email.upper(), domain="covered.example", use_https=True
    )

    assert [message.to for message in mail.outbox] == [[consultant.email]]
    assert "https://covered.example/accounts/reset/" in mail.outbox[0].body


def test_the_sixth_reset_request_in_an_hour_is_refused_politely(client, consultant, queued):
    for _ in range(5):
        client.post(reverse("password_reset"), {"email": f"someone{_}@example.com"})

    refused = client.post(reverse("password_reset"), {"email": consultant.email})

    assert refused.status_code == 200
    assert "Too many password reset requests" in refused.content.decode()
    assert queued == []


def test_reset_requests_for_one_email_are_limited_from_any_address(client, consultant, queued):
    for number in range(5):
        client.post(
            reverse("password_reset"),
            {"email": consultant.email},
            REMOTE_ADDR=f"10.0.0.{number}",
        )

    refused = client.post(
        reverse("password_reset"), {"email": consultant.email}, REMOTE_ADDR="10.0.0.99"
    )

    assert "Too many password reset requests" in refused.content.decode()


# ------------------------------------------------------------------------------ sessions


def test_a_session_ends_after_the_idle_time(client, consultant, settings):
    with time_machine.travel(NOW, tick=False):
        client.force_login(consultant)
        assert client.get(reverse("coverage:dashboard")).status_code == 200
    later = NOW + datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES - 1)
    with time_machine.travel(later, tick=False):
        assert client.get(reverse("coverage:dashboard")).status_code == 200
    idle = later + datetime.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1)
    with time_machine.travel(idle, tick=False):
        response = client.get(reverse("coverage:dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_with_the_setting_the_session_ends_with_the_browser(client, consultant, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True

    response = log_in(client, consultant.username, PASSWORD)

    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


# ------------------------------------------------------------------------------ headers


@pytest.mark.parametrize("name", ["coverage:dashboard", "agreements:list", "admin:index"])
def test_every_page_has_a_strict_content_security_policy(browse, name):
    response = browse("admin_user").get(reverse(name))

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "camera=()" in response["Permissions-Policy"]


def test_the_login_page_has_the_headers_too(client):
    response = client.get(reverse("login"))

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "Permissions-Policy" in response


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.mark.parametrize("role", ["admin_user", "consultant", "viewer"])
def test_pages_for_a_signed_in_user_are_neither_shared_nor_stored(browse, role):
    response = browse(role).get(reverse("clients:list"))

    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_control(response)


def test_a_refusal_for_a_signed_in_user_is_not_stored_either(browse):
    response = browse("viewer").get(reverse("clients:create"))

    assert response.status_code == 403
    assert {"private", "no-store"} <= cache_control(response)


def test_a_public_page_keeps_its_own_caching(client):
    response = client.get(reverse("password_reset"))

    assert response.status_code == 200

    assert "no-store" not in cache_control(response)


def test_static_files_keep_their_own_caching_for_a_signed_in_user(browse):
    response = browse("consultant").get("/static/css/covered.css")

    assert response.status_code == 200
    assert "no-store" not in cache_control(response)


# ------------------------------------------------------------------------------ exports


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        (" =1+1", "' =1+1"),
        ("\t=1+1", "'\t=1+1"),
        ("\n@SUM(A1)", "'\n@SUM(A1)"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-5", "'-5"),
        ("Harbor Dental", "Harbor Dental"),
        (-5, -5),
        ("", ""),
    ],
)
def test_formula_looking_text_is_neutralised_in_every_csv(cell, safe):
    assert spreadsheet_safe(cell) == safe
