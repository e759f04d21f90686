from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from agreements.models.contracts import Agreement, Requirement
from core.models import optional_key


class CoverageStatus(models.TextChoices):
    """How well the team can deliver a requirement or an agreement, with how bad and how shown.

    Severity orders the statuses (an agreement is as bad as its worst requirement); not_assessed,
    an agreement without requirements, sits below covered and never is a requirement's status.
    """

    COVERED = "covered", "Covered"
    AT_RISK = "at_risk", "At risk"
    UNCOVERED = "uncovered", "Uncovered"
    NOT_ASSESSED = "not_assessed", "Not assessed"

    @property
    def severity(self) -> int:
        return _SEVERITY[self.value]

    @property
    def color(self) -> str:
        """The Bootstrap colour of its badge."""
        return _COLOR[self.value]

    @property
    def email_color(self) -> str:
        """The text colour in the report email, where no stylesheet applies."""
        return _EMAIL_COLOR[self.value]

    @property
    def is_flagged(self) -> bool:
        """Worth a flag: uncovered or at risk."""
        return self.value in (self.UNCOVERED, self.AT_RISK)

    @classmethod
    def worst(cls, statuses) -> "CoverageStatus | None":
        """The most severe of `statuses` (values or members); None when there are none."""
        return max((cls(status) for status in statuses), key=_severity_of, default=None)

    @classmethod
    def severity_of(cls, status: str | None) -> int:
        """Severity of a status value; -1 for none (e.g. an agreement not active today)."""
        return _SEVERITY.get(status, -1)


_SEVERITY = {"not_assessed": 0, "covered": 1, "at_risk": 2, "uncovered": 3}
_COLOR = {
    "not_assessed": "secondary",
    "covered": "success",
    "at_risk": "warning",
    "uncovered": "danger",
}
_EMAIL_COLOR = {
    "not_assessed": "#475467",
    "covered": "#067647",
    "at_risk": "#b54708",
    "uncovered": "#b42318",
}


def _severity_of(status: CoverageStatus) -> int:
    return _SEVERITY[status.value]


class CoverageFlag(models.Model):
    class Status(models.TextChoices):
        UNCOVERED = "uncovered", "Uncovered"
        AT_RISK = "at_risk", "At risk"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="flags")
    requirement = optional_key(Requirement, on_delete=models.SET_NULL, related_name="flags")
    requirement_label = models.CharField(
        max_length=255, help_text="What was required, kept after the requirement is gone."
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=500)
    qualified_count = models.PositiveIntegerField(default=0)
    lapses_on = models.DateField(null=True, blank=True)
    first_detected_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = optional_key(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-first_detected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["requirement"],
                condition=Q(resolved_at__isnull=True),
                name="coverageflag_one_open_per_requirement",
                violation_error_message="This requirement already has an open flag.",
            )
        ]
        indexes = [
            models.Index(
                fields=["agreement"],
                condition=Q(resolved_at__isnull=True),
                name="coverageflag_open_by_agreement",
            ),
            models.Index(fields=["resolved_at"]),
        ]

    def __str__(self):
        return f"{self.get_status_display()}: {self.requirement_label}"

    @property
    def is_open(self):
        return self.resolved_at is None


class CoverageRun(models.Model):
    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (no recipients)"

    run_date = models.DateField(unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    agreements_count = models.PositiveIntegerField(default=0)
    covered_count = models.PositiveIntegerField(default=0)
    at_risk_count = models.PositiveIntegerField(default=0)
    uncovered_count = models.PositiveIntegerField(default=0)
    not_assessed_count = models.PositiveIntegerField(default=0)
    arr_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    arr_uncovered = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    arr_at_risk = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    new_flags_count = models.PositiveIntegerField(default=0)
    resolved_flags_count = models.PositiveIntegerField(default=0)
    open_flags_count = models.PositiveIntegerField(default=0)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-run_date"]

    def __str__(self):
        return f"Coverage run {self.run_date}"

    @property
    def is_finished(self):
        return self.finished_at is not None

    @property
    def arr_at_risk_total(self) -> Decimal:
        """ARR of the agreements not covered: uncovered plus at risk."""
        return self.arr_uncovered + self.arr_at_risk
