import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import groups
from core.management.commands.ensure_demo_users import DEMO_USERS
from skills.models import Technician
from tests.conftest import second_factor
from tests.core.test_settings import production_environment
from tests.processes import manage
from tests.skills.factories import TechnicianFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def credentials_file(tmp_path):
    return tmp_path / "var" / "demo-credentials.json"


def ensure_demo_users(credentials_file, capsys):
    call_command("ensure_demo_users", credentials_file=credentials_file)
    return capsys.readouterr().out


def test_first_run_creates_an_admin_and_a_consultant_with_stored_passwords(
    credentials_file, capsys
):
    output = ensure_demo_users(credentials_file, capsys)

    stored = json.loads(credentials_file.read_text())
    User = get_user_model()
    admin = User.objects.get(username="admin")
    consultant = User.objects.get(username="consultant")
    assert admin.is_staff and admin.is_superuser
    assert admin.email
    assert admin.groups.filter(name=groups.REPORT_RECIPIENTS).exists()
    assert sorted(consultant.groups.values_list("name", flat=True)) == [
        groups.CONSULTANT,
        groups.SKILL_APPROVERS,
    ]
    assert not consultant.is_staff
    assert admin.check_password(stored["admin"])
    assert consultant.check_password(stored["consultant"])
    assert stored["admin"] in output and stored["consultant"] in output
    assert credentials_file.stat().st_mode & 0o077 == 0


def test_second_run_changes_nothing_and_prints_the_same_passwords(credentials_file, capsys):
    first_output = ensure_demo_users(credentials_file, capsys)
    stored = json.loads(credentials_file.read_text())

    second_output = ensure_demo_users(credentials_file, capsys)

    assert get_user_model().objects.filter(username__in=["admin", "consultant"]).count() == 2
    assert json.loads(credentials_file.read_text()) == stored
    assert get_user_model().objects.get(username="admin").check_password(stored["admin"])
    for password in stored.values():
        assert password in first_output and password in second_output


def test_the_demo_technician_login_is_linked_to_its_team_member_once_seeded(
    credentials_file, capsys
):
    ensure_demo_users(credentials_file, capsys)
    login = get_user_model().objects.get(username="technician")
    assert list(login.groups.values_list("name", flat=True)) == [groups.TECHNICIAN]
    assert not Technician.objects.filter(user=login).exists()

    samir = TechnicianFactory(name="Samir Haddad", email="samir.haddad@keystone-it.example")
    ensure_demo_users(credentials_file, capsys)

    samir.refresh_from_db()
    assert samir.user == login


def test_passwords_differ_between_installations(tmp_path, capsys):
    call_command("ensure_demo_users", credentials_file=tmp_path / "one.json")
    get_user_model().objects.all().delete()
    call_command("ensure_demo_users", credentials_file=tmp_path / "two.json")

    one = json.loads((tmp_path / "one.json").read_text())
    two = json.loads((tmp_path / "two.json").read_text())
    assert one["admin"] != two["admin"]
    assert len(one["admin"]) >= 16


def test_a_password_changed_later_is_not_printed_as_valid(credentials_file, capsys):
    ensure_demo_users(credentials_file, capsys)
    stored = json.loads(credentials_file.read_text())
    consultant = get_user_model().objects.get(username="consultant")
    consultant.set_password("chosen-by-jordan-later")
    consultant.save()

    output = ensure_demo_users(credentials_file, capsys)

    assert stored["consultant"] not in output
    assert "was changed" in output


def test_the_output_explains_how_the_admin_enrols_a_second_factor(credentials_file, capsys):
    output = ensure_demo_users(credentials_file, capsys)

    assert "The admin needs a second factor" in output
    assert reverse("two_factor") in output
    assert "recovery codes" in output


def test_once_the_admin_has_a_second_factor_the_explanation_is_left_out(credentials_file, capsys):
    ensure_demo_users(credentials_file, capsys)
    second_factor(get_user_model().objects.get(username="admin"))

    assert "second factor" not in ensure_demo_users(credentials_file, capsys)


def test_the_logins_come_last_with_the_address_they_open(credentials_file, capsys):
    call_command(
        "ensure_demo_users", credentials_file=credentials_file, url="http://127.0.0.1:8123"
    )
    lines = capsys.readouterr().out.splitlines()

    stored = json.loads(credentials_file.read_text())
    assert lines[-len(DEMO_USERS) - 1].startswith("Open http://127.0.0.1:8123 and log in")
    assert [line.split()[:3] for line in lines[-len(DEMO_USERS) :]] == [
        [demo.username, "password", stored[demo.username]] for demo in DEMO_USERS
    ]


def recovery_codes(output):
    return re.search(r"recovery codes, each logs in once.*: (.*)", output).group(1).split()


def test_local_settings_give_the_demo_admin_a_second_factor_printed_once(
    credentials_file, capsys, settings
):
    settings.DEMO_ADMIN_SECOND_FACTOR = True

    first = ensure_demo_users(credentials_file, capsys)
    second = ensure_demo_users(credentials_file, capsys)

    device = TOTPDevice.objects.get(user__username="admin", confirmed=True)
    assert device.config_url in first
    assert len(recovery_codes(first)) == 10
    assert "recovery codes" not in second and device.config_url not in second
    assert first.index(device.config_url) < re.search(r"^ +admin +password", first, re.M).start()


def test_a_printed_recovery_code_opens_django_admin_without_a_phone(
    credentials_file, capsys, settings, client
):
    settings.DEMO_ADMIN_SECOND_FACTOR = True
    output = ensure_demo_users(credentials_file, capsys)
    password = json.loads(credentials_file.read_text())["admin"]

    response = client.post(
        reverse("admin:login"),
        {"username": "admin", "password": password, "otp_token": recovery_codes(output)[0]},
    )

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_without_the_local_setting_the_admin_gets_no_second_factor(credentials_file, capsys):
    output = ensure_demo_users(credentials_file, capsys)

    assert not TOTPDevice.objects.exists()
    assert "otpauth://" not in output


def test_production_settings_never_give_the_demo_admin_a_second_factor():
    production = manage("diffsettings", environment=production_environment())
    local = manage(
        "diffsettings",
        environment=production_environment(DJANGO_SETTINGS_MODULE="config.settings.local"),
    )

    assert production.returncode == 0, production.stderr
    assert "DEMO_ADMIN_SECOND_FACTOR" not in production.stdout
    assert "DEMO_ADMIN_SECOND_FACTOR = True" in local.stdout
