"""A technician's proposed change to their own skills, waiting for a skill approver."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.choices import ChoiceSet
from core.formatting import day_text
from core.models import LongTextField, TextLineField, TimeStampedModel, optional_key
from core.validators import date_in_range
from skills.models.team import (
    LEVEL_VALIDATORS,
    Certification,
    Skill,
    SkillVersion,
    Technician,
    check_version_of_skill,
    level_constraint,
    version_range_text,
)
from skills.storage import PrivateMediaStorage


class SkillProposal(TimeStampedModel):
    class Kind(ChoiceSet):
        NEW_SKILL = "new_skill", "New skill", "primary"
        LEVEL_CHANGE = "level_change", "Level change", "info"
        VERSION_RANGE = "version_range", "Version range", "secondary"
        CERTIFICATION = "certification", "Certification", "success"

    class State(ChoiceSet):
        PENDING = "pending", "Pending", "warning"
        APPROVED = "approved", "Approved", "success"
        REJECTED = "rejected", "Rejected", "danger"
        WITHDRAWN = "withdrawn", "Withdrawn", "secondary"

    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="proposals")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="skill_proposals"
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    skill = optional_key(Skill, on_delete=models.PROTECT, related_name="proposals")
    level = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL_VALIDATORS)
    oldest_version = optional_key(SkillVersion, on_delete=models.PROTECT, related_name="+")
    newest_version = optional_key(SkillVersion, on_delete=models.PROTECT, related_name="+")
    certification = optional_key(Certification, on_delete=models.PROTECT, related_name="proposals")
    earned_on = models.DateField(null=True, blank=True, validators=[date_in_range])
    expires_on = models.DateField(null=True, blank=True, validators=[date_in_range])
    note = TextLineField(max_length=500, blank=True, help_text="Anything the approver should know.")
    evidence = models.FileField(
        # Stored under a random name of our own; the uploader's is kept in `evidence_name`.
        upload_to="evidence/%Y/",
        storage=PrivateMediaStorage(),
        blank=True,
        max_length=200,
    )
    evidence_name = TextLineField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = optional_key(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="skill_decisions"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = LongTextField(blank=True)
    approvers_told_at = models.DateTimeField(
        null=True, blank=True, help_text="When the approvers' digest named it."
    )
    technician_told_at = models.DateTimeField(
        null=True, blank=True, help_text="When the technician was mailed the decision."
    )
    history = HistoricalRecords(excluded_fields=["approvers_told_at", "technician_told_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("decide_skillproposal", "Can approve or reject skill proposals")]
        indexes = [models.Index(fields=["state", "created_at"])]
        constraints = [
            level_constraint("level", name="skillproposal_level_1_to_5", label="Level"),
            models.CheckConstraint(
                condition=Q(skill__isnull=False) | Q(certification__isnull=False),
                name="skillproposal_skill_or_certification",
                violation_error_message="A proposal names a skill or a certification.",
            ),
        ]

    def __str__(self):
        return f"{self.technician}: {self.change_text}"

    def get_state_color(self) -> str:
        return self.State(self.state).color

    def get_kind_color(self) -> str:
        return self.Kind(self.kind).color

    def clean(self):
        skill = self.skill if self.skill_id else None
        errors = {
            **check_version_of_skill(
                self.oldest_version if self.oldest_version_id else None, skill, "oldest_version"
            ),
            **check_version_of_skill(
                self.newest_version if self.newest_version_id else None, skill, "newest_version"
            ),
        }
        if (
            not errors
            and self.oldest_version_id
            and self.newest_version_id
            and self.newest_version.rank < self.oldest_version.rank
        ):
            errors["newest_version"] = (
                f"Newest version ({self.newest_version.label}) is older than "
                f"oldest version ({self.oldest_version.label})."
            )
        if self.skill_id and self.certification_id:
            errors["certification"] = "Propose a skill or a certification, not both at once."
        if self.expires_on and self.earned_on and self.expires_on < self.earned_on:
            errors["expires_on"] = (
                f"Expiry date ({day_text(self.expires_on)}) is before the date earned "
                f"({day_text(self.earned_on)})."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING

    @property
    def version_range(self) -> str:
        return version_range_text(
            self.oldest_version.label if self.oldest_version_id else None,
            self.newest_version.label if self.newest_version_id else None,
        )

    @property
    def change_text(self) -> str:
        """ "Exchange Server at level 4 (2016 – 2019)" or "Microsoft 365 Administrator, earned
        3 Mar 2026"."""
        if self.kind == self.Kind.CERTIFICATION:
            expires = f", expires {day_text(self.expires_on)}" if self.expires_on else ""
            return f"{self.certification.name}, earned {day_text(self.earned_on)}{expires}"
        return f"{self.skill.name} at level {self.level} ({self.version_range})"
