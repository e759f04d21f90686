"""Logging in and the account's own pages: the OTP-aware login, password reset that cannot be
used to probe addresses or flood a mailbox, and enrolling a second factor (TOTP) with recovery
codes. Implements DESIGN "Security and operations" (accounts)."""

import base64
import secrets
from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.admin import OTPAdminSite
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.formatting import person_name

RECOVERY_CODES = 10


class TokenMixin(OTPAuthenticationFormMixin):
    """One "authentication code" box: a 6-digit code from the authenticator app, or one of the
    recovery codes; the device follows from what is typed."""

    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": "Enter the 6-digit code from your authenticator app, or a recovery code.",
        "invalid_token": "That code is not right, or was already used. Try the current one.",
    }

    def add_token_field(self, *, help_text: str) -> None:
        self.fields["otp_token"] = forms.CharField(
            required=False,
            label="Authentication code",
            help_text=help_text,
            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        )

    def limit_username_length(self) -> None:
        """AuthenticationForm sets the username's max_length without its validator, so a
        name longer than any username reached the login checks (and the lockout records)."""
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))

    def _chosen_device(self, user):
        """The authenticator app for a 6-digit code, the recovery codes for anything else."""
        token = (self.cleaned_data.get("otp_token") or "").strip()
        model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
        return model.objects.filter(user=user, confirmed=True).first()


class LoginForm(TokenMixin, AuthenticationForm):
    """Username and password, and the authentication code of those who set up a second factor.

    A user without a confirmed device logs in with the password alone; staff still need the
    code to reach the admin (AdminLoginForm).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_username_length()
        self.add_token_field(help_text="Only if you set up two-factor authentication.")

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and user_has_device(user):
            self.clean_otp(user)
        return cleaned


class AdminLoginForm(TokenMixin, AdminAuthenticationForm):
    """The admin's login: staff always give their second factor."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_username_length()
        self.add_token_field(help_text="From your authenticator app, or a recovery code.")

    def clean(self):
        cleaned = super().clean()
        self.clean_otp(self.get_user())
        return cleaned


class PeopleByNameAutocompleteView(AutocompleteJsonView):
    """The admin's search-as-you-type offers people by full name, as the app's pages show them."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, get_user_model()):
            result["text"] = person_name(obj)
        return result


class AdminSite(OTPAdminSite):
    """Django admin for verified staff only: who has not given a second factor in this session
    logs in again with one (DESIGN "Security and operations")."""

    login_form = AdminLoginForm
    login_template = "admin/login_two_factor.html"

    def autocomplete_view(self, request):
        return PeopleByNameAutocompleteView.as_view(admin_site=self)(request)


# ------------------------------------------------------------------------------ password reset


def reset_limited(*, ip_address: str, email: str) -> bool:
    """Count a password reset request; True once this address or this email has sent more than
    PASSWORD_RESET_RATE_LIMIT within the window (the cache holds the counts)."""
    window = settings.PASSWORD_RESET_RATE_WINDOW_SECONDS
    over = False
    for key in (f"password-reset:ip:{ip_address}", f"password-reset:email:{email.lower()}"):
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
        over = over or count > settings.PASSWORD_RESET_RATE_LIMIT
    return over


def password_reset_send(*, email: str, domain: str, use_https: bool) -> None:
    """Mail a link to choose a new password to each active user at `email` who has a usable
    password, or nothing when nobody has that address. The worker runs it (the task
    core.tasks.send_password_reset): the request that asked looked nobody up and built no mail,
    so it did the same work, and took as long, for a known address as for an unknown one."""
    form = PasswordResetForm(data={"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https)


# ------------------------------------------------------------------------------ two factors


def totp_device_pending(*, user) -> TOTPDevice:
    """The user's TOTP device waiting to be confirmed with a first code; made when missing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG QR code (inline markup, no external image)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in the base32 form authenticator apps take when typed in."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm `device` with a first code; returns the new recovery codes, shown once, or None
    when the code is wrong. Any older device of the user is replaced."""
    if not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_renew(user=device.user)


@transaction.atomic
def second_factor_provision(*, user) -> tuple[TOTPDevice, list[str]]:
    """A confirmed authenticator device and new recovery codes for `user`, made without a first
    code: for a login set up from the command line (the local demo admin), never from a page."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device, recovery_codes_renew(user=user)


@transaction.atomic
def recovery_codes_renew(*, user) -> list[str]:
    """Replace the user's recovery codes; each logs in once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_enabled(user) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))
