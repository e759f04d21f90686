from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.lookups import IsNull
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.choices import ChoiceSet
from core.formatting import day_text
from core.models import (
    EmailAddressField,
    LongTextField,
    TextLineField,
    TimeStampedModel,
    TimeZoneField,
    UniqueNameModel,
    add_months,
    optional_key,
    unique_name_constraint,
)
from core.validators import date_in_range, date_not_in_future


class Level(models.IntegerChoices):
    AWARE = 1, "1 – aware"
    BASIC = 2, "2 – basic"
    INDEPENDENT = 3, "3 – independent"
    ADVANCED = 4, "4 – advanced"
    EXPERT = 5, "5 – expert"


LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


def level_constraint(field: str, *, name: str, label: str) -> models.CheckConstraint:
    """The database's guard for a level: 1 to 5."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
        name=name,
        violation_error_message=f"{label} must be between 1 and 5.",
    )


class SkillCategory(models.Model):
    name = TextLineField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "skill categories"

    def __str__(self):
        return self.name


class Skill(UniqueNameModel, TimeStampedModel):
    name = TextLineField(max_length=120)
    category = models.ForeignKey(SkillCategory, on_delete=models.PROTECT, related_name="skills")
    vendor = TextLineField(max_length=100, blank=True)
    description = LongTextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [unique_name_constraint("skill")]
        permissions = [
            # At most 50 characters: older migrations create permissions before auth widens
            # the column.
            ("manage_catalog", "Can keep the catalog of products and versions")
        ]

    def __str__(self):
        return self.name


class SkillVersion(models.Model):
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="versions")
    label = TextLineField(max_length=50, help_text="As people say it, e.g. “2016” or “24H2”.")
    rank = models.PositiveIntegerField(help_text="Higher is newer; used to compare versions.")
    end_of_support = models.DateField(
        null=True, blank=True, help_text="The vendor's last day of (extended) support."
    )
    successor = optional_key(
        "self",
        on_delete=models.SET_NULL,
        related_name="predecessors",
        help_text="The version a client on this one moves to when its support ends.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["skill__name", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["skill", "rank"],
                name="skillversion_rank_unique_per_skill",
                violation_error_message="Another version of this skill has the same rank.",
            ),
            models.UniqueConstraint(
                fields=["skill", "label"],
                name="skillversion_label_unique_per_skill",
                violation_error_message="This skill already has a version with this label.",
            ),
        ]

    def __str__(self):
        return f"{self.skill.name} {self.label}"

    def out_of_support_on(self, day) -> bool:
        """Past its end of support on `day` (the end date is the last day of support)."""
        return self.end_of_support is not None and self.end_of_support < day

    def supported_after(self, day) -> bool:
        """Still supported after `day`: a client moving to it then is not left unsupported
        (DESIGN "End of support": no end of support, or an end after `day`)."""
        return self.end_of_support is None or self.end_of_support > day

    def clean(self):
        super().clean()
        if self.successor_id and self.skill_id and self.successor.skill_id != self.skill_id:
            raise ValidationError(
                {"successor": "The successor must be a version of the same skill."}
            )
        if self.successor_id and self.pk and self.successor_id == self.pk:
            raise ValidationError({"successor": "A version cannot succeed itself."})
        # Newer only, so that following successors always ends (no version leads back).
        if self.successor_id and self.rank is not None and self.successor.rank <= self.rank:
            raise ValidationError(
                {
                    "successor": f"The successor must be newer than {self.label}: "
                    f"{self.successor.label} has rank {self.successor.rank}, not above "
                    f"{self.rank}."
                }
            )
        if self.pk and self.rank is not None:
            older = self.predecessors.filter(rank__gte=self.rank).order_by("rank").first()
            if older is not None:
                raise ValidationError(
                    {
                        "rank": f"{self.label} succeeds {older.label} (rank {older.rank}), so "
                        "its rank must stay above that."
                    }
                )


class LifecycleSnapshot(models.Model):
    """A snapshot of public lifecycle data loaded into the catalog's versions (end of support,
    successor): which source, as of which day, when it was loaded. A newer snapshot updates the
    versions it lists; an older or the same one changes nothing."""

    source = TextLineField(max_length=300)
    taken_on = models.DateField(help_text="The day the lifecycle data was read from its source.")
    loaded_at = models.DateTimeField(auto_now_add=True)
    versions_updated = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-taken_on", "-pk"]
        get_latest_by = "taken_on"

    def __str__(self):
        return f"Lifecycle data of {self.taken_on} ({self.source})"


class SkillAlias(TimeStampedModel):
    """A product name as PSA and RMM exports spell it, standing for a skill (and a version).

    Imports read a product name to a skill with skills.aliases.ProductMatcher: see there for
    how a pattern matches a name.
    """

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="aliases")
    pattern = TextLineField(
        max_length=200,
        help_text="How an inventory names the product, e.g. “Microsoft Exchange Server 2016”; "
        "it matches any name that contains it as whole words, ignoring case and spacing.",
    )
    version = optional_key(
        SkillVersion,
        on_delete=models.CASCADE,
        related_name="aliases",
        help_text="Blank: the version comes from the file's version column, if any.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["skill__name", "pattern"]
        verbose_name_plural = "skill aliases"
        constraints = [
            models.UniqueConstraint(
                Lower("pattern"),
                name="skillalias_pattern_unique_ci",
                violation_error_message="Another alias already has this pattern.",
            )
        ]

    def __str__(self):
        return self.pattern

    def clean(self):
        errors = check_version_of_skill(
            self.version if self.version_id else None,
            self.skill if self.skill_id else None,
            "version",
        )
        if not " ".join(self.pattern.split()):
            errors["pattern"] = "A pattern needs at least one word."
        if errors:
            raise ValidationError(errors)


def rank_in_range(rank, oldest_rank, newest_rank):
    """Whether a version of rank `rank` lies in [oldest, newest]; a None bound is open. Its SQL
    twin is TechnicianSkill.objects.meeting."""
    return (oldest_rank is None or oldest_rank <= rank) and (
        newest_rank is None or rank <= newest_rank
    )


def version_range_text(oldest_label, newest_label):
    """ "all versions", "2016 – 2019" or "… – 2019" for a range whose bounds may be open."""
    if oldest_label is None and newest_label is None:
        return "all versions"
    return f"{oldest_label or '…'} – {newest_label or '…'}"


def check_version_of_skill(version, skill, field):
    """A version given for a skill must belong to that skill; returns {field: message} or {}."""
    if version is not None and skill is not None and version.skill_id != skill.pk:
        return {
            field: f"Version {version.label} belongs to {version.skill.name}, not {skill.name}."
        }
    return {}


class TechnicianQuerySet(models.QuerySet):
    def available_on(self, day) -> "TechnicianQuerySet":
        """Technicians who count for coverage on `day` (DESIGN "Coverage rules"): active, and
        `available_until` (their last working day) empty or on or after `day`."""
        return self.filter(
            Q(available_until__isnull=True) | Q(available_until__gte=day),
            status=Technician.Status.ACTIVE,
        )

    def on_team(self) -> "TechnicianQuerySet":
        """Technicians who have not left: active or on leave."""
        return self.exclude(status=Technician.Status.DEPARTED)


EMAIL_TAKEN = "Another technician already uses this email address."


class Technician(TimeStampedModel):
    class Status(ChoiceSet):
        ACTIVE = "active", "Active", "success"
        ON_LEAVE = "on_leave", "On leave", "warning"
        DEPARTED = "departed", "Departed", "secondary"

    name = TextLineField(max_length=120)
    email = EmailAddressField(unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="technician",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    available_until = models.DateField(
        "last working day",
        null=True,
        blank=True,
        help_text=(
            "The last day this technician still works, e.g. before a departure or a leave; "
            "from the day after, they no longer count for coverage. Blank when none is planned."
        ),
        validators=[date_in_range],
    )
    time_zone = TimeZoneField(
        help_text="Where this technician works: their working hours and time off are in this zone."
    )
    notes = LongTextField(blank=True)

    objects = TechnicianQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # status for the team filters; lower(name) for the pickers, which read names in order
        indexes = [
            models.Index(fields=["status"]),
            models.Index(Lower("name"), name="technician_name_ci"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="technician_email_unique_ci",
                violation_error_message=EMAIL_TAKEN,
            )
        ]

    def __str__(self):
        return self.name

    def get_status_color(self) -> str:
        return self.Status(self.status).color

    def clean(self):
        # The database constraint ignores case; checked here too so the form says it on the
        # email field.
        others = Technician.objects.filter(email__iexact=self.email).exclude(pk=self.pk)
        if self.email and others.exists():
            raise ValidationError({"email": EMAIL_TAKEN})


class TechnicianSkillQuerySet(models.QuerySet):
    def meeting(self, *, min_level, version_rank) -> "TechnicianSkillQuerySet":
        """Skills held at `min_level` or above whose known versions include the version of rank
        `version_rank`, every version when that is NULL (no version asked): a requirement's skill
        met, DESIGN "Coverage rules". `rank_in_range` in SQL; the arguments may be expressions,
        e.g. a requirement's OuterRef("min_level") and OuterRef("version__rank")."""
        return self.filter(
            Q(IsNull(version_rank, True))
            | (Q(oldest_version__isnull=True) | Q(oldest_version__rank__lte=version_rank))
            & (Q(newest_version__isnull=True) | Q(newest_version__rank__gte=version_rank)),
            level__gte=min_level,
        )

    def due_for_review(self, day) -> "TechnicianSkillQuerySet":
        """Skills not assessed for SKILL_REVIEW_MONTHS on `day` (DESIGN "Technicians keep their
        own skills"): assessed on or before `day` minus that many months."""
        return self.filter(assessed_on__lte=review_due_before(day))


def review_due_before(day):
    """The newest assessment date that is due for review on `day`."""
    return add_months(day, -settings.SKILL_REVIEW_MONTHS)


class TechnicianSkill(TimeStampedModel):
    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="technician_skills")
    level = models.PositiveSmallIntegerField(choices=Level.choices, validators=LEVEL_VALIDATORS)
    oldest_version = optional_key(
        SkillVersion,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Oldest version this technician can support; blank means any older one.",
    )
    newest_version = optional_key(
        SkillVersion,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Newest version this technician can support; blank means any newer one.",
    )
    last_used = models.DateField(
        null=True, blank=True, validators=[date_in_range, date_not_in_future]
    )
    assessed_on = models.DateField(
        default=timezone.localdate,
        validators=[date_in_range],
        help_text="The day someone last judged this skill accurate: a consultant's edit, an "
        "approved proposal or a “still accurate” review. Syncs leave it alone.",
    )
    history = HistoricalRecords()

    objects = TechnicianSkillQuerySet.as_manager()

    class Meta:
        ordering = ["technician__name", "skill__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["technician", "skill"],
                name="technicianskill_unique",
                violation_error_message="This technician already has this skill.",
            ),
            level_constraint("level", name="technicianskill_level_1_to_5", label="Level"),
        ]
        indexes = [models.Index(fields=["skill", "level"])]

    def __str__(self):
        return f"{self.technician} – {self.skill} (level {self.level})"

    def clean(self):
        skill = self.skill if self.skill_id else None
        errors = {
            **check_version_of_skill(self.oldest_version, skill, "oldest_version"),
            **check_version_of_skill(self.newest_version, skill, "newest_version"),
        }
        if (
            not errors
            and self.oldest_version is not None
            and self.newest_version is not None
            and self.newest_version.rank < self.oldest_version.rank
        ):
            errors["newest_version"] = (
                f"Newest version ({self.newest_version.label}) is older than "
                f"oldest version ({self.oldest_version.label})."
            )
        if errors:
            raise ValidationError(errors)

    def covers_version(self, version):
        if version is None:
            return True
        return rank_in_range(
            version.rank,
            self.oldest_version.rank if self.oldest_version else None,
            self.newest_version.rank if self.newest_version else None,
        )

    def is_due_for_review(self, day) -> bool:
        return self.assessed_on <= review_due_before(day)

    @property
    def version_range(self):
        return version_range_text(
            self.oldest_version.label if self.oldest_version else None,
            self.newest_version.label if self.newest_version else None,
        )


class Certification(UniqueNameModel, TimeStampedModel):
    name = TextLineField(max_length=150)
    issuer = TextLineField(max_length=100, blank=True)
    validity_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Blank when the certification does not expire."
    )
    skills = models.ManyToManyField(Skill, blank=True, related_name="certifications")
    is_baseline = models.BooleanField(
        default=False, help_text="Every technician should hold at least one baseline certification."
    )

    class Meta:
        ordering = ["name"]
        constraints = [unique_name_constraint("certification")]

    def __str__(self):
        return self.name


class TechnicianCertificationQuerySet(models.QuerySet):
    def valid_on(self, day) -> "TechnicianCertificationQuerySet":
        """Certifications that still count on `day`: no expiry, or expiring on `day` or later."""
        return self.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))


class TechnicianCertification(TimeStampedModel):
    technician = models.ForeignKey(
        Technician, on_delete=models.CASCADE, related_name="certifications"
    )
    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="holders"
    )
    earned_on = models.DateField(validators=[date_in_range])
    expires_on = models.DateField(
        null=True,
        blank=True,
        help_text="Left blank: earned on + the certification's validity.",
        validators=[date_in_range],
    )
    credential_id = TextLineField(max_length=100, blank=True)
    history = HistoricalRecords()

    objects = TechnicianCertificationQuerySet.as_manager()

    class Meta:
        ordering = ["technician__name", "certification__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["technician", "certification"],
                name="techniciancertification_unique",
                violation_error_message="This technician already holds this certification.",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("earned_on")),
                name="techniciancertification_expires_after_earned",
                violation_error_message="Expiry date is before the date earned.",
            ),
        ]
        indexes = [models.Index(fields=["certification", "expires_on"])]

    def __str__(self):
        return f"{self.technician} – {self.certification}"

    def clean(self):
        if (
            self.expires_on is None
            and self.earned_on is not None
            and self.certification_id
            and self.certification.validity_months
        ):
            self.expires_on = add_months(self.earned_on, self.certification.validity_months)
        if self.expires_on and self.earned_on and self.expires_on < self.earned_on:
            raise ValidationError(
                {
                    "expires_on": f"Expiry date ({day_text(self.expires_on)}) is before the date "
                    f"earned ({day_text(self.earned_on)})."
                }
            )


class TrainingGoal(TimeStampedModel):
    class Status(ChoiceSet):
        PLANNED = "planned", "Planned", "light"
        IN_PROGRESS = "in_progress", "In progress", "info"
        DONE = "done", "Done", "success"
        CANCELLED = "cancelled", "Cancelled", "secondary"

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    technician = models.ForeignKey(
        Technician, on_delete=models.CASCADE, related_name="training_goals"
    )
    skill = optional_key(Skill, on_delete=models.PROTECT, related_name="training_goals")
    target_level = models.PositiveSmallIntegerField(
        choices=Level.choices, null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    target_version = optional_key(SkillVersion, on_delete=models.PROTECT, related_name="+")
    certification = optional_key(
        Certification, on_delete=models.PROTECT, related_name="training_goals"
    )
    due_date = models.DateField(validators=[date_in_range])
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    reason = TextLineField(max_length=255, blank=True)
    cost = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "technician__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(skill__isnull=False) | Q(certification__isnull=False),
                name="traininggoal_skill_or_certification",
                violation_error_message="Choose a skill, a certification, or both.",
            ),
            models.CheckConstraint(
                condition=Q(skill__isnull=True) | Q(target_level__isnull=False),
                name="traininggoal_skill_needs_level",
                violation_error_message="A skill goal needs a target level.",
            ),
            models.CheckConstraint(
                condition=Q(target_level__isnull=True)
                | Q(target_level__gte=1, target_level__lte=5),
                name="traininggoal_target_level_1_to_5",
                violation_error_message="Target level must be between 1 and 5.",
            ),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0),
                name="traininggoal_cost_not_negative",
                violation_error_message="Cost cannot be negative.",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return f"{self.technician}: {self.target} by {day_text(self.due_date)}"

    def get_status_color(self) -> str:
        return self.Status(self.status).color

    @property
    def target(self):
        """ "Exchange Server 2016 at level 3", "Cisco CCNA", or both joined by "and"."""
        parts = []
        if self.skill_id:
            version = f" {self.target_version.label}" if self.target_version_id else ""
            parts.append(f"{self.skill.name}{version} at level {self.target_level}")
        if self.certification_id:
            parts.append(self.certification.name)
        return " and ".join(parts)

    def clean(self):
        errors = {}
        if not self.skill_id and not self.certification_id:
            errors["skill"] = "Choose a skill, a certification, or both."
        if self.skill_id and self.target_level is None:
            errors["target_level"] = "A skill goal needs a target level."
        if self.target_version_id and not self.skill_id:
            errors["target_version"] = "A target version needs a skill."
        elif self.skill_id:
            errors.update(check_version_of_skill(self.target_version, self.skill, "target_version"))
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES
