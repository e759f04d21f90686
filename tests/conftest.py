import contextlib
import sys
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from agreements.coverage import engine
from agreements.coverage.runs import coverage_run_execute
from core import groups
from tests.skills.factories import SkillFactory, SkillVersionFactory
from tests.skills.team_time.factories import team_time_rows

PASSWORD = "correct-horse-battery-staple"


def make_user(django_user_model, username, *, group=None, **extra):
    user = django_user_model.objects.create_user(
        username=username, email=f"{username}@example.com", password=PASSWORD, **extra
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def add_recipient(django_user_model, username, **fields):
    """A member of the report recipients group, at username@msp.example unless told."""
    fields.setdefault("email", f"{username}@msp.example")
    user = django_user_model.objects.create_user(username=username, password="x", **fields)
    user.groups.add(Group.objects.get_or_create(name=groups.REPORT_RECIPIENTS)[0])
    return user


@pytest.fixture
def recipient(django_user_model):
    return add_recipient(django_user_model, "rachel")


@pytest.fixture(autouse=True)
def groups_after_flush(request):
    """Tests on committed data flush the database afterwards, groups included: recreate them."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        groups.ensure_groups()


def second_factor(user):
    """A confirmed authenticator-app device for `user`."""
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


@pytest.fixture(autouse=True)
def cache_cleared():
    """Each test starts with an empty cache (the tests' is in this process's memory): what one
    test kept, a what-if say, is not served to the next."""
    cache.clear()


@pytest.fixture(autouse=True)
def force_login_gives_the_second_factor(monkeypatch):
    """`client.force_login(user)` logs a user in as a real login would: a user with a second
    factor has given it too (django-otp keeps the device in the session)."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def admin_user(django_user_model):
    user = make_user(django_user_model, "olivia.admin", is_staff=True, is_superuser=True)
    second_factor(user)
    return user


@pytest.fixture
def consultant(django_user_model):
    return make_user(django_user_model, "marcus.consultant", group=groups.CONSULTANT)


@pytest.fixture
def viewer(django_user_model):
    return make_user(django_user_model, "priya.viewer", group=groups.VIEWER)


@pytest.fixture
def exchange():
    return SkillFactory(name="Exchange")


@pytest.fixture
def exchange_2016(exchange):
    return SkillVersionFactory(skill=exchange, label="2016", rank=16)


@pytest.fixture
def consultant_client(client, consultant):
    client.force_login(consultant)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def browse(client, request):
    """A test client logged in as the named user fixture ("admin_user", "consultant",
    "viewer"), or anonymous for None."""

    def as_role(role):
        if role is not None:
            client.force_login(request.getfixturevalue(role))
        return client

    return as_role


@pytest.fixture
def engine_forbidden():
    """`with engine_forbidden():` fails if anything evaluates coverage inside the block: pages
    must read the recorded check."""

    def refuse(*args, **kwargs):
        raise AssertionError("the coverage engine ran during a page that must read the check")

    @contextlib.contextmanager
    def forbidden():
        real = engine.evaluate_coverage
        with pytest.MonkeyPatch.context() as patch:
            for module in list(sys.modules.values()):
                if getattr(module, "evaluate_coverage", None) is real:
                    patch.setattr(module, "evaluate_coverage", refuse)
            yield

    return forbidden


@pytest.fixture(scope="module")
def demo_portfolio(django_db_setup, django_db_blocker):
    """The demo data, the nightly schedule and one coverage run (with its flags), loaded once
    for the module inside a transaction that is rolled back at the end; each test runs in a
    savepoint within it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", stdout=StringIO())
            team_time_rows()
            call_command("setup_schedule", stdout=StringIO())
            coverage_run_execute(run_date=timezone.localdate())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
