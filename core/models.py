import base64
import calendar
import datetime

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.functional import cached_property
from django.utils.text import capfirst
from encrypted_fields.fields import EncryptedJSONField
from simple_history.models import HistoricalRecords

from core.time_zones import default_time_zone, time_zone_choices, validate_time_zone
from core.validators import NOTES_MAX_LENGTH, refuse_control_characters


class TextLineField(models.CharField):
    """A line of text that a person or a file supplies (a name, a phone number): no control
    characters but tabs and line breaks, checked by every form, the API and full_clean."""

    default_validators = [refuse_control_characters]


class LongTextField(models.TextField):
    """Text of several lines that a person or a file supplies (notes, a description): no
    control characters but tabs and line breaks, and at most `max_length` characters
    (NOTES_MAX_LENGTH unless given). A TextField's max_length binds only its form field; the
    validator added here binds full_clean too, so imports, services and the API keep it."""

    default_validators = [refuse_control_characters]

    def __init__(self, *args, max_length=NOTES_MAX_LENGTH, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(self.max_length))


class EmailAddressField(models.EmailField):
    """An email address that a person or a file supplies: the email validator lets control
    characters through in a quoted name ("…"@example.com); they are refused here."""

    default_validators = [*models.EmailField.default_validators, refuse_control_characters]


class TimeZoneField(TextLineField):
    """An IANA time zone name on the half hour (core.time_zones), the firm's own by default;
    its form field is a choice of the accepted zones."""

    default_validators = [*TextLineField.default_validators, validate_time_zone]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("default", default_time_zone)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return forms.ChoiceField(
            choices=time_zone_choices,
            required=not self.blank,
            label=kwargs.get("label", capfirst(self.verbose_name)),
            help_text=kwargs.get("help_text", self.help_text),
            initial=default_time_zone,
            validators=self.validators,
        )


class WebsiteField(models.URLField):
    """A URL field whose form completes "example.com" to https://, as Django 6 will; control
    characters, which the URL validator lets through in a path, are refused."""

    default_validators = [*models.URLField.default_validators, refuse_control_characters]

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


# Only the key derivation's salt: the secret is CONNECTOR_ENCRYPTION_KEY.
CREDENTIALS_KEY_SALT = b"covered-connector-credentials"


class CredentialsField(EncryptedJSONField):
    """{credential key: value}, each value encrypted with a key derived from
    CONNECTOR_ENCRYPTION_KEY (not SECRET_KEY: rotating the signing key keeps them readable)."""

    @cached_property
    def keys(self) -> list[bytes]:
        derived = PBKDF2HMAC(
            algorithm=hashes.SHA256(), length=32, salt=CREDENTIALS_KEY_SALT, iterations=100_000
        ).derive(settings.CONNECTOR_ENCRYPTION_KEY.encode())
        return [base64.urlsafe_b64encode(derived)]

    @cached_property
    def f(self) -> Fernet:
        return Fernet(self.keys[0])


def hour_before_nightly_run() -> datetime.time:
    """An hour before COVERAGE_REPORT_TIME: when a PSA or RMM connection syncs by default, so
    that the nightly run reads the night's data."""
    at = datetime.datetime.strptime(settings.COVERAGE_REPORT_TIME, "%H:%M")
    return (at - datetime.timedelta(hours=1)).time()


def optional_key(to, *, on_delete, **options) -> models.ForeignKey:
    """A link that may be empty: NULL in the database, blank in forms."""
    return models.ForeignKey(to, on_delete=on_delete, null=True, blank=True, **options)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def add_months(day, months):
    """The same day `months` later, clamped to the end of a shorter month (Jan 31 + 1 → Feb 28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def name_taken(instance, field="name"):
    """True when another row of the model already uses this name, ignoring case."""
    value = getattr(instance, field)
    if not value:
        return False
    others = type(instance)._default_manager.filter(**{f"{field}__iexact": value})
    return others.exclude(pk=instance.pk).exists()


def unique_name_constraint(model_name: str) -> models.UniqueConstraint:
    """The database's guard for a name unique regardless of case, named after `model_name`."""
    return models.UniqueConstraint(
        Lower("name"),
        name=f"{model_name}_name_unique_ci",
        violation_error_message=f"A {model_name} with this name already exists.",
    )


class UniqueNameModel(models.Model):
    """A model whose `name` no other row may use, ignoring case.

    Subclasses declare `name` and put `unique_name_constraint(...)` in their Meta.constraints;
    clean() says which name is taken before the database would refuse it.
    """

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if name_taken(self):
            raise ValidationError(
                {"name": f"A {self._meta.verbose_name} named “{self.name}” already exists."}
            )


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the heartbeat task: proof that the queue is served."""

    worker = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self):
        return f"{self.worker} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


MAX_WARNING_DAYS = 365
MAX_MIN_TECHNICIANS = 20


class CoverageSettings(models.Model):
    """The warning window and the default minimum technicians as staff set them on the Settings
    page: one row, read at the start of every coverage check. A blank value (or no row yet)
    means the environment's (COVERAGE_WARNING_DAYS, COVERAGE_MIN_TECHNICIANS).

    It lives here, below every app, because the team's pages (expiring certifications), the
    contract book (a new requirement's default) and the coverage engine all read it.
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    warning_days = models.PositiveSmallIntegerField(
        "warning window (days)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_WARNING_DAYS)],
        help_text="A lapse in coverage within this many days makes an agreement at risk.",
    )
    min_technicians = models.PositiveSmallIntegerField(
        "minimum technicians",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MIN_TECHNICIANS)],
        help_text="Qualified technicians a requirement needs unless it asks for another number.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = optional_key(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "coverage settings"
        verbose_name_plural = "coverage settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="coveragesettings_single_row"),
            models.CheckConstraint(
                condition=Q(warning_days__isnull=True) | Q(warning_days__lte=MAX_WARNING_DAYS),
                name="coveragesettings_warning_days_at_most_a_year",
            ),
            models.CheckConstraint(
                condition=Q(min_technicians__isnull=True)
                | Q(min_technicians__gte=1, min_technicians__lte=MAX_MIN_TECHNICIANS),
                name="coveragesettings_min_technicians_in_range",
            ),
        ]

    def __str__(self):
        return "Coverage settings"
