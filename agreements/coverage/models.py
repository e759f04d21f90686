import datetime
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q

from agreements.models.contracts import Agreement, Requirement
from core.choices import ChoiceSet
from core.formatting import day_text
from core.models import TimeStampedModel, optional_key


class CoverageStatus(ChoiceSet):
    """How well the team can deliver a requirement or an agreement, with how bad and how shown:
    the colour of its badge, the colour of its words in the report email (where no stylesheet
    applies) and its severity.

    Severity orders the statuses (an agreement is as bad as its worst requirement); not_assessed,
    an agreement without requirements, sits below covered and never is a requirement's status.
    """

    COVERED = "covered", "Covered", "success", "#067647", 1
    AT_RISK = "at_risk", "At risk", "warning", "#b54708", 2
    UNCOVERED = "uncovered", "Uncovered", "danger", "#b42318", 3
    NOT_ASSESSED = "not_assessed", "Not assessed", "secondary", "#475467", 0

    def __init__(self, value, color, email_color, severity):
        super().__init__(value, color)
        self.email_color: str = email_color
        self.severity: int = severity

    @property
    def is_flagged(self) -> bool:
        """Worth a flag: uncovered or at risk."""
        return self.value in (self.UNCOVERED, self.AT_RISK)

    @classmethod
    def worst(cls, statuses) -> "CoverageStatus | None":
        """The most severe of `statuses` (values or members); None when there are none."""
        return max(
            (cls(status) for status in statuses), key=lambda status: status.severity, default=None
        )

    @classmethod
    def severity_of(cls, status: str | None) -> int:
        """Severity of a status value; -1 for none (e.g. an agreement not active today)."""
        # The enum's own map, not cls(status): the what-if calls this for every agreement.
        member = cls._value2member_map_.get(status)
        return -1 if member is None else member.severity


class RiskKind(ChoiceSet):
    """The two kinds of at risk (DESIGN "Coverage rules"), recorded with the status: thin when
    fewer than min_technicians qualify on the day, lapsing when enough do but coverage lapses
    inside the warning window. Each with the colour of the at-risk badge it qualifies, the
    words that explain it when hovered, and the words that name its share of the ARR at risk
    (they never say "at risk" again; `{days}` is the warning window)."""

    THIN = (
        "thin",
        "Thin",
        "warning",
        "Fewer technicians qualify today than the requirement needs",
        "too few qualified today",
    )
    LAPSING = (
        "lapsing",
        "Lapsing",
        "warning",
        "Enough technicians qualify today, but coverage lapses inside the warning window",
        "lapsing within {days} days",
    )

    def __init__(self, value, color, explanation, share_words):
        super().__init__(value, color)
        self.explanation: str = explanation
        self._share_words = share_words

    def share_words(self, warning_days: int) -> str:
        """ "too few qualified today", "lapsing within 60 days"."""
        return self._share_words.format(days=warning_days)

    @property
    def filter_value(self) -> str:
        """Its value in the status filters of the lists: "at_risk_thin"."""
        return f"{CoverageStatus.AT_RISK.value}_{self.value}"

    @classmethod
    def detail(
        cls,
        kind: str,
        *,
        qualified_count: int,
        min_technicians: int,
        lapses_on: datetime.date | None,
    ) -> str:
        """What makes one requirement at risk, in the words of DESIGN: "only 1 of 2 qualify",
        "covered through 15 Jan 2027"; "" for no kind."""
        if kind == cls.THIN:
            return f"only {qualified_count} of {min_technicians} qualify"
        if kind == cls.LAPSING and lapses_on is not None:
            return f"covered through {day_text(lapses_on - datetime.timedelta(days=1))}"
        return ""


class GapCause(ChoiceSet):
    """Why the first gap in a requirement's support window is one (DESIGN "Coverage through the
    support window"): nobody qualifies at all; the qualified are not at work then and nobody is
    on call; someone is on call then but does not qualify; the qualified at work then are on
    time off, past their last working day, or their certification has expired."""

    NOBODY_QUALIFIED = "nobody_qualified", "Nobody qualified", "danger"
    OUTSIDE_HOURS = "outside_hours", "Outside working hours", "danger"
    ON_CALL_UNQUALIFIED = "on_call_unqualified", "On call but not qualified", "danger"
    TIME_OFF = "time_off", "Time off", "warning"
    LAST_DAY = "last_day", "Last working day", "warning"
    CERTIFICATION_EXPIRY = "certification_expiry", "Certification expires", "warning"


def gap_range_text(starts_at, ends_at, zone: str) -> str:
    """A gap as the client reads it: "Mon 7 Dec 2026 00:00–09:00 (client's time)"; an end at
    the client's midnight reads 24:00. "" without a gap."""
    if starts_at is None or ends_at is None:
        return ""
    tz = zoneinfo.ZoneInfo(zone)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    end_clock = "24:00" if end.date() > start.date() else f"{end:%H:%M}"
    return f"{start:%a} {day_text(start.date())} {start:%H:%M}–{end_clock} (client's time)"


def status_label(status, risk_kind="") -> str:
    """A status (a CoverageStatus value) as words, with its kind when at risk: "Covered",
    "At risk · thin"."""
    status = CoverageStatus(status)
    if status == CoverageStatus.AT_RISK and risk_kind:
        return f"{status.label} · {RiskKind(risk_kind).label.lower()}"
    return status.label


# The status filters' values for the two kinds of at risk: "at_risk_thin" → "thin".
AT_RISK_OF_KIND = {kind.filter_value: kind.value for kind in RiskKind}


def status_choices_with_kinds(choices) -> list[tuple[str, str]]:
    """A status filter's `choices`, at risk followed by its two kinds ("At risk: thin")."""
    found = []
    for value, label in choices:
        found.append((value, label))
        if value == CoverageStatus.AT_RISK:
            found += [(kind.filter_value, f"{label}: {kind.label.lower()}") for kind in RiskKind]
    return found


def risk_kind_field():
    """The kind column of the checks' rows and of the flags: blank unless at risk."""
    return models.CharField(
        max_length=10,
        choices=RiskKind.choices,
        blank=True,
        help_text="Thin (too few qualify on the day) or lapsing (enough qualify, but coverage "
        "lapses inside the warning window) when at risk; blank otherwise.",
    )


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
    risk_kind = risk_kind_field()
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
    opened_by_check = optional_key(
        "CoverageCheck", on_delete=models.SET_NULL, related_name="opened_flags"
    )
    resolved_by_check = optional_key(
        "CoverageCheck", on_delete=models.SET_NULL, related_name="resolved_flags"
    )

    class Meta:
        app_label = "agreements"
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
            # The open flags newest first, as the dashboard and the flags page list them.
            models.Index(
                F("first_detected_at").desc(),
                F("id").desc(),
                condition=Q(resolved_at__isnull=True),
                name="coverageflag_open_newest",
            ),
            # Every flag as the flags page lists them: open first, uncovered first, newest first.
            models.Index(
                "resolved_at",
                F("status").desc(),
                F("first_detected_at").desc(),
                F("id").desc(),
                name="coverageflag_list_order",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()}: {self.requirement_label}"

    @property
    def is_open(self):
        return self.resolved_at is None


class CoverageRun(models.Model):
    """The nightly run of one date: claimed once (unique date, with a lease), then its report
    emailed at most once. Its figures are those of the check it recorded (`coverage_check`)."""

    class EmailStatus(ChoiceSet):
        """Each with the colour and the words of its badge on the report pages."""

        PENDING = "pending", "Pending", "light", "Email pending"
        SENT = "sent", "Sent", "success", "Email sent"
        FAILED = "failed", "Failed", "danger", "Email failed"
        SKIPPED = "skipped", "Skipped (no recipients)", "secondary", "No recipients"

        def __init__(self, value, color, badge_label):
            super().__init__(value, color)
            self.badge_label = badge_label

    run_date = models.DateField(unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0, help_text="Attempts to send the email.")
    last_error = models.TextField(blank=True, help_text="Why the last attempt to send failed.")
    run_attempts = models.PositiveIntegerField(
        default=0, help_text="Times a worker took up the run (a retry or a takeover adds one)."
    )
    run_last_error = models.TextField(
        blank=True, help_text="Why the last attempt at the run failed; cleared when it succeeds."
    )
    lease_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Until when the worker that took up the run holds it; past that, the run is "
        "free to be taken up again.",
    )
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    coverage_check = models.OneToOneField(
        "CoverageCheck",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="run",
        help_text="The check the run recorded; its report is the one emailed.",
    )

    class Meta:
        app_label = "agreements"
        ordering = ["-run_date"]

    def __str__(self):
        return f"Coverage run {day_text(self.run_date)}"

    @property
    def is_finished(self):
        return self.finished_at is not None


class CoverageCheck(models.Model):
    """One evaluation of coverage for a date, written once and never changed.

    Implements DESIGN "Coverage checks are recorded": the figures, every agreement's status
    (CheckedAgreement), every non-covered requirement's result (CheckedRequirement), the skills'
    figures (CheckedSkill) and the report's sections as they were built (`report`), which the
    email and the report page both render. Details of old checks may be pruned; figures and
    report sections never are.
    """

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Nightly"
        SWEEP = "sweep", "Nightly, late"
        MANUAL = "manual", "By hand"

    check_date = models.DateField(help_text="The day coverage was evaluated for.")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    requested_by = optional_key(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    warning_days = models.PositiveSmallIntegerField()
    agreements_count = models.PositiveIntegerField(default=0)
    covered_count = models.PositiveIntegerField(default=0)
    at_risk_count = models.PositiveIntegerField(default=0)
    uncovered_count = models.PositiveIntegerField(default=0)
    not_assessed_count = models.PositiveIntegerField(default=0)
    arr_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    arr_uncovered = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    arr_at_risk = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    # The thin share of the at-risk figures; the lapsing share is the rest (see the
    # properties). Null for a check whose details were pruned before the kinds were recorded.
    thin_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="At-risk agreements that are thin."
    )
    arr_thin = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="ARR of the at-risk agreements that are thin.",
    )
    new_flags_count = models.PositiveIntegerField(default=0)
    resolved_flags_count = models.PositiveIntegerField(default=0)
    open_flags_count = models.PositiveIntegerField(default=0)
    drafts_not_deliverable_count = models.PositiveIntegerField(
        default=0, help_text="Draft agreements whose pre-sale verdict is not deliverable."
    )
    drafts_not_deliverable_value = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0")
    )
    end_of_support_arr_not_covered = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text="ARR of active agreements on versions reaching end of support within 12 "
        "months whose successor the team does not cover.",
    )
    programmes_at_risk_count = models.PositiveIntegerField(default=0)
    programmes_not_met_count = models.PositiveIntegerField(default=0)
    programme_benefit_at_stake = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Yearly benefit of the partner programmes at risk or not met.",
    )
    report = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    details_pruned_at = models.DateTimeField(null=True, blank=True)
    data_changes = models.JSONField(
        default=dict,
        blank=True,
        help_text="{kind: changes} of the data coverage depends on when the check started.",
    )

    class Meta:
        app_label = "agreements"
        ordering = ["-finished_at", "-pk"]
        indexes = [models.Index(fields=["-finished_at", "-id"], name="coveragecheck_newest_first")]

    def __str__(self):
        return (
            f"Coverage check of {day_text(self.check_date)} ({self.get_trigger_display().lower()})"
        )

    @property
    def arr_at_risk_total(self) -> Decimal:
        """ARR of the agreements not covered: uncovered plus at risk."""
        return self.arr_uncovered + self.arr_at_risk

    @property
    def kinds_recorded(self) -> bool:
        return self.thin_count is not None

    @property
    def lapsing_count(self) -> int | None:
        """At-risk agreements that are lapsing: those at risk that are not thin."""
        return None if self.thin_count is None else self.at_risk_count - self.thin_count

    @property
    def arr_lapsing(self) -> Decimal | None:
        return None if self.arr_thin is None else self.arr_at_risk - self.arr_thin


class CoverageCheckRequest(models.Model):
    """A user's "Run coverage check now" through the API, followed from queued to done (with the
    check it recorded) or failed (with why), so that the caller can poll its status."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    requested_by = optional_key(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    coverage_check = optional_key(CoverageCheck, on_delete=models.SET_NULL, related_name="requests")
    error = models.TextField(blank=True, help_text="Why the check could not be queued or run.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "agreements"
        ordering = ["-created_at", "-pk"]
        verbose_name = "coverage check request"

    def __str__(self):
        return f"Coverage check request {self.pk} ({self.get_status_display().lower()})"


class CheckedAgreement(models.Model):
    """An agreement's status in a check. The agreement may since have been deleted."""

    coverage_check = models.ForeignKey(
        CoverageCheck, on_delete=models.CASCADE, related_name="agreement_results"
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    status = models.CharField(max_length=12, choices=CoverageStatus.choices)
    risk_kind = risk_kind_field()
    annual_value = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        app_label = "agreements"
        constraints = [
            models.UniqueConstraint(
                fields=["coverage_check", "agreement"], name="checkedagreement_unique"
            )
        ]
        indexes = [models.Index(fields=["coverage_check", "status"])]

    def __str__(self):
        return f"{self.agreement_id}: {self.status}"


class CheckedRequirement(models.Model):
    """A requirement the team could not (or soon could not) deliver, as a check found it."""

    coverage_check = models.ForeignKey(
        CoverageCheck, on_delete=models.CASCADE, related_name="requirement_results"
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    requirement = models.ForeignKey(
        Requirement, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    label = models.CharField(max_length=255)
    status = models.CharField(max_length=12, choices=CoverageStatus.choices)
    risk_kind = risk_kind_field()
    min_technicians = models.PositiveSmallIntegerField()
    qualified_count = models.PositiveIntegerField()
    lasting_count = models.PositiveIntegerField()
    lapses_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=500)
    qualified = models.JSONField(default=list, help_text="[[technician id, name], …] by name.")
    candidates = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    is_new = models.BooleanField(default=False, help_text="Its flag was opened by this check.")
    gap_starts_at = models.DateTimeField(
        null=True, blank=True, help_text="The first half hour of support nobody qualified covers."
    )
    gap_ends_at = models.DateTimeField(
        null=True, blank=True, help_text="The end of that gap, at most the client's midnight."
    )
    gap_cause = models.CharField(max_length=20, choices=GapCause.choices, blank=True)
    uncovered_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        help_text="Hours of a week of the support window nobody qualified covers.",
    )
    # The agreement's yearly value as the check recorded it (its CheckedAgreement's), kept here
    # so that "the most valuable first" reads a page of rows by an index, not every row.
    annual_value = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))

    class Meta:
        app_label = "agreements"
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["coverage_check", "agreement"]),
            models.Index(
                fields=["coverage_check", "-annual_value"], name="checkedreq_check_value_idx"
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.status}"

    @property
    def gap_text(self) -> str:
        """ "Mon 7 Dec 2026 00:00–09:00 (client's time)", "" without a gap. Reads the client's
        zone through the agreement: select_related("agreement__client") in lists."""
        if self.gap_starts_at is None:
            return ""
        return gap_range_text(self.gap_starts_at, self.gap_ends_at, self.agreement.client.time_zone)

    def get_gap_cause_color(self) -> str:
        return GapCause(self.gap_cause).color if self.gap_cause else ""

    @property
    def risk_detail(self) -> str:
        """ "only 1 of 2 qualify", "covered through 15 Jan 2027"; "" unless at risk."""
        return RiskKind.detail(
            self.risk_kind,
            qualified_count=self.qualified_count,
            min_technicians=self.min_technicians,
            lapses_on=self.lapses_on,
        )


class CheckedSkill(models.Model):
    """A skill's figures in a check, for the skills matrix."""

    coverage_check = models.ForeignKey(
        CoverageCheck, on_delete=models.CASCADE, related_name="skill_results"
    )
    skill = models.ForeignKey(
        "skills.Skill", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    qualified_count = models.PositiveIntegerField(
        help_text="Technicians available on the day at the qualified level or above."
    )
    revenue_dependence = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        app_label = "agreements"
        constraints = [
            models.UniqueConstraint(fields=["coverage_check", "skill"], name="checkedskill_unique")
        ]

    def __str__(self):
        return f"{self.skill_id}: {self.qualified_count}"


class ProgrammeStatus(ChoiceSet):
    """Whether the team meets a partner programme's rules on a check's day: met, at risk (a
    count drops below its minimum within the warning window) or not met; with the colour of its
    badge, the colour of its words in the report email and its severity."""

    MET = "met", "Met", "success", "#067647", 1
    AT_RISK = "at_risk", "At risk", "warning", "#b54708", 2
    NOT_MET = "not_met", "Not met", "danger", "#b42318", 3

    def __init__(self, value, color, email_color, severity):
        super().__init__(value, color)
        self.email_color: str = email_color
        self.severity: int = severity

    @classmethod
    def worst(cls, statuses) -> "ProgrammeStatus":
        """The most severe of `statuses`; met when there are none."""
        return max((cls(status) for status in statuses), key=lambda s: s.severity, default=cls.MET)


class CheckedProgramme(models.Model):
    """A partner programme as a check found it (DESIGN "Technicians keep their own skills"):
    its status, the reason in the coverage sentences' style, the first day a count drops below
    its minimum (at risk), the yearly benefit then at stake, and each rule's figures (`rules`:
    [{rule_id, text, needed, has, lasting, status, lapses_on, qualified: [[id, name], …]}])."""

    coverage_check = models.ForeignKey(
        CoverageCheck, on_delete=models.CASCADE, related_name="programme_results"
    )
    programme = models.ForeignKey(
        "skills.PartnerProgram", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    label = models.CharField(max_length=255, help_text="The programme's name at the check.")
    status = models.CharField(max_length=10, choices=ProgrammeStatus.choices)
    reason = models.CharField(max_length=1000)
    lapses_on = models.DateField(null=True, blank=True)
    benefit = models.DecimalField(max_digits=12, decimal_places=2)
    renewal_date = models.DateField(null=True, blank=True)
    rules = models.JSONField(default=list, encoder=DjangoJSONEncoder)

    class Meta:
        app_label = "agreements"
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(
                fields=["coverage_check", "programme"], name="checkedprogramme_unique"
            )
        ]

    def __str__(self):
        return f"{self.label}: {self.status}"

    def get_status_color(self) -> str:
        return ProgrammeStatus(self.status).color


class CheckedDraft(models.Model):
    """A draft agreement's pre-sale verdict in a check: as if active on its start date (or on
    the check's day, when that has passed)."""

    coverage_check = models.ForeignKey(
        CoverageCheck, on_delete=models.CASCADE, related_name="draft_results"
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    status = models.CharField(max_length=12, choices=CoverageStatus.choices)
    annual_value = models.DecimalField(max_digits=12, decimal_places=2)
    assessed_on = models.DateField(help_text="The day the draft was evaluated as if active.")

    class Meta:
        app_label = "agreements"
        constraints = [
            models.UniqueConstraint(
                fields=["coverage_check", "agreement"], name="checkeddraft_unique"
            )
        ]
        indexes = [models.Index(fields=["coverage_check", "status"])]

    def __str__(self):
        return f"{self.agreement_id}: {self.status}"


class CheckedEndOfSupport(models.Model):
    """A client version reaching end of support within 12 months of a check (or already past
    it: a finding of its own), the version the client moves to (the first of the successor
    chain still supported after the date that matters, skills.selectors.version_moves) and
    whether the team covers it: that version as a requirement at the level (and with the number
    of technicians) the client's active agreements ask of the ending version, evaluated by the
    engine on the check's day. `status` is blank when the catalog names no successor."""

    # How the successor's coverage reads on the pages and in the report.
    STATUS_WORDS = {
        CoverageStatus.COVERED.value: "Successor covered",
        CoverageStatus.AT_RISK.value: "Successor covered, at risk",
        CoverageStatus.UNCOVERED.value: "Successor not covered",
        "": "No successor named",
    }

    coverage_check = models.ForeignKey(
        CoverageCheck, on_delete=models.CASCADE, related_name="end_of_support_results"
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    client_name = models.CharField(max_length=200)
    skill = models.ForeignKey(
        "skills.Skill", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    version = models.ForeignKey(
        "skills.SkillVersion", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    label = models.CharField(
        max_length=255, help_text="The ending version, e.g. “Windows Server 2016”."
    )
    end_of_support = models.DateField(
        null=True,
        blank=True,
        help_text="Empty: support has ended on a day the source does not give.",
    )
    out_of_support = models.BooleanField(
        default=False, help_text="Already past its end of support on the check's day."
    )
    successor = models.ForeignKey(
        "skills.SkillVersion",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version the client moves to.",
    )
    successor_label = models.CharField(max_length=255, blank=True)
    successor_supported = models.BooleanField(
        default=True,
        help_text="False when no version of the successor chain is supported after the date "
        "that matters: the successor is then the newest of the chain.",
    )
    min_level = models.PositiveSmallIntegerField()
    min_technicians = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=CoverageStatus.choices, blank=True)
    qualified = models.JSONField(default=list, help_text="[[technician id, name], …] by name.")
    reason = models.CharField(max_length=500, blank=True)
    candidates = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    annual_value = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="ARR of the agreements concerned."
    )
    agreement_ids = models.JSONField(default=list)

    class Meta:
        app_label = "agreements"
        # A version ended on an unknown day (no date) first: it is already out of support.
        ordering = [
            models.F("end_of_support").asc(nulls_first=True),
            "client_name",
            "label",
            "pk",
        ]
        indexes = [
            models.Index(fields=["coverage_check", "end_of_support"]),
            models.Index(fields=["coverage_check", "client"]),
        ]

    def __str__(self):
        return f"{self.client_name}: {self.label} {self.end_text}"

    @property
    def end_text(self) -> str:
        """ "ends 11 Apr 2023", or "ended, date unknown"."""
        if self.end_of_support is None:
            return "ended, date unknown"
        return f"ends {day_text(self.end_of_support)}"

    @property
    def status_words(self) -> str:
        return self.STATUS_WORDS[self.status]

    @property
    def status_color(self) -> str:
        return CoverageStatus(self.status).color if self.status else "secondary"

    @property
    def finding(self) -> str:
        """ "runs Exchange Server 2013, out of support since 11 Apr 2023" for a version past
        its end; "" for one still supported."""
        if not self.out_of_support:
            return ""
        if self.end_of_support is None:
            return f"runs {self.label}, out of support (ended, date unknown)"
        return f"runs {self.label}, out of support since {day_text(self.end_of_support)}"

    @property
    def needs_plan(self) -> bool:
        """Worth "Add to plan": a supported successor the team does not cover, or covers
        thinly (training on a version out of support is never proposed)."""
        return self.successor_supported and self.status in (
            CoverageStatus.UNCOVERED,
            CoverageStatus.AT_RISK,
        )


class ReportTestEmail(models.Model):
    """A "Send me a test email" of a check's report: to the user who asked and nobody else,
    recorded here as a test. A run's own email (status, attempts, recipients) is never touched by
    it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    coverage_check = models.ForeignKey(
        CoverageCheck, on_delete=models.CASCADE, related_name="test_emails"
    )
    requested_by = optional_key(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.EmailField(help_text="The requesting user's address when they asked.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "agreements"
        ordering = ["-created_at", "-pk"]
        verbose_name = "test email of the report"
        verbose_name_plural = "test emails of the report"

    def __str__(self):
        return f"Test email of {self.coverage_check} to {self.recipient}"


class CoverageDataChange(models.Model):
    """How often and when each kind of data that coverage depends on changed: one row per kind
    (a model's label), touched by every such write, so that a page can say what changed since
    the newest check (which keeps the counts it started from, `CoverageCheck.data_changes`)."""

    kind = models.CharField(max_length=100, unique=True, blank=True)
    changes = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField()

    class Meta:
        app_label = "agreements"

    def __str__(self):
        return f"{self.kind or 'Coverage data'} changed at {self.changed_at}"


class Reminder(TimeStampedModel):
    """One reminder email to one person before a deadline (DESIGN "Agreement terms, renewals and
    reminders"): claimed once per (object, deadline, lead time, recipient) by the unique
    constraint, then sent at most once, with its attempts recorded like the report's."""

    class Kind(models.TextChoices):
        NOTICE = "notice", "Notice deadline"
        CERTIFICATION = "certification", "Certification expiry"
        GOAL = "goal", "Training goal due"
        ON_CALL = "on_call", "On-call turn"
        SKILL_REVIEW = "skill_review", "Skill due for review"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"  # a shorter lead time was already due when it came up

    kind = models.CharField(max_length=15, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(
        help_text="The agreement, certification held, training goal, rota or technician skill "
        "it is about."
    )
    deadline = models.DateField()
    lead_days = models.PositiveSmallIntegerField()
    recipient = models.EmailField()
    user = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "agreements"
        ordering = ["-deadline", "kind", "recipient"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "deadline", "lead_days", "recipient"],
                name="reminder_once_per_deadline_lead_and_recipient",
            )
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="reminder_status_deadline")]

    def __str__(self):
        return (
            f"{self.get_kind_display()} {self.deadline} ({self.lead_days} days) to {self.recipient}"
        )


class CalendarFeed(models.Model):
    """A user's private calendar feed of the deadlines that concern them: the secret of its URL
    is shown once and only its SHA-256 is kept; making a new one revokes the old."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "agreements"

    def __str__(self):
        return f"Calendar feed of {self.user}"


class ReminderOptOut(models.Model):
    """A kind of reminder a user asked not to receive (their Notifications page)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_opt_outs"
    )
    kind = models.CharField(max_length=15, choices=Reminder.Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "agreements"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="reminder_opt_out_once")
        ]

    def __str__(self):
        return f"{self.user} receives no {self.get_kind_display().lower()} reminders"
