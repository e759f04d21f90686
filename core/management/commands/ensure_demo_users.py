"""Creates the demo logins once and prints them every time: an admin, a consultant (who also
approves skill proposals) and a technician (linked to the demo team's Samir Haddad once
seed_demo has loaded the team).

With the local settings (DEMO_ADMIN_SECOND_FACTOR) the demo admin also gets a second factor,
printed once, so that Django admin opens without a phone; production settings never do that."""

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from core import groups
from core.accounts import second_factor_provision, two_factor_enabled


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    email: str
    groups: tuple[str, ...]
    role: str
    is_admin: bool = False
    technician_email: str = ""  # the technician of the demo team this login is


DEMO_USERS = (
    DemoUser(
        username="admin",
        first_name="Avery",
        last_name="Lindqvist",
        email="avery.lindqvist@example.com",
        groups=(groups.REPORT_RECIPIENTS,),
        role="administrator, receives the nightly report",
        is_admin=True,
    ),
    DemoUser(
        username="consultant",
        first_name="Jordan",
        last_name="Reyes",
        email="jordan.reyes@example.com",
        groups=(groups.CONSULTANT, groups.SKILL_APPROVERS),
        role="consultant, approves skill proposals",
    ),
    DemoUser(
        username="technician",
        first_name="Samir",
        last_name="Haddad",
        email="samir.haddad@keystone-it.example",
        groups=(groups.TECHNICIAN,),
        role="technician: My skills, proposals and time off",
        technician_email="samir.haddad@keystone-it.example",
    ),
)


ADMIN_USERNAMES = [demo.username for demo in DEMO_USERS if demo.is_admin]


class Command(BaseCommand):
    help = (
        "Create the demo admin, consultant and technician (once) and print their usernames and "
        "passwords, last."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--credentials-file",
            type=Path,
            default=settings.VAR_DIR / "demo-credentials.json",
            help="where the generated passwords are kept (default: var/demo-credentials.json)",
        )
        parser.add_argument(
            "--url",
            help="the address Covered answers on, printed with the logins (as `make run` does)",
        )

    def handle(self, *, credentials_file, url, **options):
        stored = load_credentials(credentials_file)
        lines = []
        with transaction.atomic():
            for demo in DEMO_USERS:
                password, note = ensure_user(demo, stored)
                lines.append((demo.username, password, note))
            save_credentials(credentials_file, stored)
            admins = get_user_model().objects.filter(username__in=ADMIN_USERNAMES)
            without_second_factor = [admin for admin in admins if not two_factor_enabled(admin)]
            if getattr(settings, "DEMO_ADMIN_SECOND_FACTOR", False):
                for admin in without_second_factor:
                    self.write_second_factor(admin, *second_factor_provision(user=admin))
            elif without_second_factor:
                self.stdout.write(TWO_FACTOR_HINT.format(path=reverse("two_factor")))

        # The logins come last: `make run` prints them once everything has started.
        where = f"Open {url} and log in" if url else "Demo logins"
        self.stdout.write(f"{where} (passwords kept in {display_path(credentials_file)}):")
        width = max(len(username) for username, _, _ in lines)
        for username, password, note in lines:
            self.stdout.write(f"  {username:<{width}}  password {password}  ({note})")

    def write_second_factor(self, admin, device, recovery_codes):
        self.stdout.write(
            SECOND_FACTOR_ONCE.format(
                username=admin.get_username(),
                codes=" ".join(recovery_codes),
                uri=device.config_url,
                path=reverse("two_factor"),
            )
        )


TWO_FACTOR_HINT = """\
The admin needs a second factor to open Django admin:
  1. log in as admin and open {path} (user menu, "Two-factor authentication");
  2. scan the QR code with an authenticator app (or type the key it shows);
  3. enter the six-digit code the app shows, then keep the recovery codes somewhere safe:
     each one logs in once when the phone is not at hand."""

SECOND_FACTOR_ONCE = """\
The {username} login now has a second factor, which Django admin asks for; shown only now:
  recovery codes, each logs in once (no phone needed): {codes}
  or add this to an authenticator app: {uri}
  Logging in as {username} asks for one of them; {path} makes new recovery codes."""


def ensure_user(demo, stored):
    """Create or complete one demo user; return the password to show and a note."""
    User = get_user_model()
    user = User.objects.filter(username=demo.username).first()
    if user is None:
        password = stored.get(demo.username) or secrets.token_urlsafe(12)
        stored[demo.username] = password
        user = User.objects.create_user(
            username=demo.username,
            email=demo.email,
            password=password,
            first_name=demo.first_name,
            last_name=demo.last_name,
            is_staff=demo.is_admin,
            is_superuser=demo.is_admin,
        )
        note = f"{demo.role}, created now"
    else:
        password = stored.get(demo.username)
        if password is None:
            password = "(not stored)"
            note = f"{demo.role}; set one with `manage.py changepassword {demo.username}`"
        elif not user.check_password(password):
            password = "(changed)"
            note = f"{demo.role}; the password was changed after it was generated"
        else:
            note = demo.role
        if not user.email:
            user.email = demo.email
            user.save(update_fields=["email"])
    user.groups.add(*Group.objects.filter(name__in=demo.groups))
    if demo.technician_email:
        technician_link(user, demo.technician_email)
    return password, note


def technician_link(user, email):
    """Make `user` the login of the technician with `email`, when the team has one without a
    login. The team lives in the skills app, above this one: its model is looked up by name."""
    Technician = apps.get_model("skills", "Technician")
    Technician.objects.filter(email__iexact=email, user__isnull=True).exclude(
        pk__in=Technician.objects.filter(user=user).values("pk")
    ).update(user=user)


def load_credentials(path):
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text())
    except ValueError:
        raise CommandError(f"{path} is not valid JSON: fix it or delete it") from None


def save_credentials(path, credentials):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(json.dumps(credentials, indent=2, sort_keys=True) + "\n")


def display_path(path):
    try:
        return path.resolve().relative_to(settings.BASE_DIR)
    except ValueError:
        return path
