"""Third-party apps under the names their sections have in Django admin: what they hold, in
plain words. INSTALLED_APPS lists these configurations instead of the packages' own."""

from axes.apps import AppConfig as AxesConfig
from django_celery_beat.apps import BeatConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as OTPStaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OTPTOTPConfig


class LoginAttemptsConfig(AxesConfig):
    verbose_name = "Login attempts and lockouts"


class RecoveryCodesConfig(OTPStaticConfig):
    verbose_name = "Two-factor recovery codes"


class AuthenticatorAppsConfig(OTPTOTPConfig):
    verbose_name = "Two-factor authenticator apps"


class ScheduledJobsConfig(BeatConfig):
    verbose_name = "Scheduled jobs"
