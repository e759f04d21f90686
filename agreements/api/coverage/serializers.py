"""What the coverage answers read of the recorded checks, the run-now requests, the flags and
one agreement's live coverage."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.api.live_coverage import (
    MONEY,
    AgreementRefSerializer,
    CandidateSerializer,
    LiveRequirementSerializer,
    TechnicianRefSerializer,
    VerdictSerializer,
    risk_kind_field,
)
from agreements.coverage.models import (
    CheckedAgreement,
    CheckedEndOfSupport,
    CheckedProgramme,
    CheckedRequirement,
    CoverageCheck,
    CoverageCheckRequest,
    CoverageFlag,
    CoverageRun,
    CoverageStatus,
)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


# ------------------------------------------------------------------------------ checks


class NightlyRunSerializer(serializers.ModelSerializer):
    """The nightly run that recorded the check and emailed its report."""

    class Meta:
        model = CoverageRun
        fields = ("id", "run_date", "email_status", "sent_at", "recipients_count")


class CheckSerializer(serializers.ModelSerializer):
    """A recorded check: what started it, for which day, when, and its figures."""

    url = serializers.HyperlinkedIdentityField(view_name="api:check-detail")
    agreements_url = serializers.HyperlinkedIdentityField(view_name="api:check-agreements")
    requirements_url = serializers.HyperlinkedIdentityField(view_name="api:check-requirements")
    end_of_support_url = serializers.HyperlinkedIdentityField(view_name="api:check-end-of-support")
    partner_programmes_url = serializers.HyperlinkedIdentityField(
        view_name="api:check-partner-programmes"
    )
    requested_by = UserRefSerializer(
        read_only=True, allow_null=True, help_text="Who ran it by hand; null for a nightly check."
    )
    nightly_run = NightlyRunSerializer(
        source="run",
        read_only=True,
        allow_null=True,
        help_text="The nightly run whose report was built from this check; null for a check "
        "run by hand, which is never emailed.",
    )
    lapsing_count = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="At-risk agreements that are lapsing (the rest of at_risk_count); null when "
        "the check did not record the kinds.",
    )
    arr_lapsing = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        help_text="ARR of the at-risk agreements that are lapsing (the rest of arr_at_risk).",
        **MONEY,
    )

    class Meta:
        model = CoverageCheck
        fields = (
            "id",
            "url",
            "check_date",
            "trigger",
            "requested_by",
            "started_at",
            "finished_at",
            "warning_days",
            "agreements_count",
            "covered_count",
            "at_risk_count",
            "uncovered_count",
            "not_assessed_count",
            "arr_total",
            "arr_uncovered",
            "arr_at_risk",
            "thin_count",
            "lapsing_count",
            "arr_thin",
            "arr_lapsing",
            "new_flags_count",
            "resolved_flags_count",
            "open_flags_count",
            "drafts_not_deliverable_count",
            "drafts_not_deliverable_value",
            "end_of_support_arr_not_covered",
            "programmes_at_risk_count",
            "programmes_not_met_count",
            "programme_benefit_at_stake",
            "details_pruned_at",
            "nightly_run",
            "agreements_url",
            "requirements_url",
            "end_of_support_url",
            "partner_programmes_url",
        )
        read_only_fields = fields


class CheckedAgreementSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(
        allow_null=True, help_text="Null when the agreement has been deleted since the check."
    )
    title = serializers.CharField(allow_null=True)
    client_name = serializers.CharField(allow_null=True)

    class Meta:
        model = CheckedAgreement
        fields = (
            "agreement",
            "reference",
            "title",
            "client_name",
            "status",
            "risk_kind",
            "annual_value",
        )
        read_only_fields = fields


class RecordedQualifiedMixin:
    """`qualified` of a check's row, recorded as [[technician id, name], …]."""

    @extend_schema_field(TechnicianRefSerializer(many=True))
    def get_qualified(self, row) -> list[dict]:
        return [{"id": pk, "name": name} for pk, name in row.qualified]


class CheckedRequirementSerializer(RecordedQualifiedMixin, serializers.ModelSerializer):
    reference = serializers.CharField(
        allow_null=True, help_text="Null when the agreement has been deleted since the check."
    )
    client_name = serializers.CharField(allow_null=True)
    qualified = serializers.SerializerMethodField(help_text="Qualified on the check's day.")
    candidates = CandidateSerializer(many=True, read_only=True)
    risk_detail = serializers.CharField(
        read_only=True,
        help_text="What makes it at risk: “only 1 of 2 qualify”, “covered through 15 Jan "
        "2027”; empty unless at risk.",
    )

    class Meta:
        model = CheckedRequirement
        fields = (
            "id",
            "agreement",
            "reference",
            "client_name",
            "requirement",
            "label",
            "status",
            "risk_kind",
            "risk_detail",
            "min_technicians",
            "qualified_count",
            "lasting_count",
            "lapses_on",
            "reason",
            "gap_starts_at",
            "gap_ends_at",
            "gap_cause",
            "uncovered_hours",
            "qualified",
            "candidates",
            "is_new",
        )
        read_only_fields = fields


class CheckedEndOfSupportSerializer(RecordedQualifiedMixin, serializers.ModelSerializer):
    """A client version reaching end of support within 12 months of the check (or already
    out of support), the version the client moves to (`successor`: the first of the chain
    still supported after the date that matters), and whether the team covered it on the
    check's day."""

    qualified = serializers.SerializerMethodField(help_text="Qualified for the successor.")
    candidates = CandidateSerializer(many=True, read_only=True)
    status = serializers.CharField(
        help_text="The successor's coverage: covered, at_risk or uncovered; empty when the "
        "catalog names no successor."
    )
    agreements = serializers.ListField(
        source="agreement_ids", child=serializers.IntegerField(), help_text="Agreements concerned."
    )

    class Meta:
        model = CheckedEndOfSupport
        fields = (
            "id",
            "client",
            "client_name",
            "skill",
            "version",
            "label",
            "end_of_support",
            "out_of_support",
            "successor",
            "successor_label",
            "successor_supported",
            "min_level",
            "min_technicians",
            "status",
            "qualified",
            "reason",
            "candidates",
            "annual_value",
            "agreements",
        )
        read_only_fields = fields


# ------------------------------------------------------------------------------ run a check now


class CheckRequestSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:check-request")
    requested_by = UserRefSerializer(read_only=True, allow_null=True)
    check_url = serializers.HyperlinkedRelatedField(
        source="coverage_check",
        view_name="api:check-detail",
        read_only=True,
        allow_null=True,
        help_text="The check it recorded, once done.",
    )

    class Meta:
        model = CoverageCheckRequest
        fields = (
            "id",
            "url",
            "status",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "coverage_check",
            "check_url",
            "error",
        )
        read_only_fields = fields
        extra_kwargs = {"coverage_check": {"help_text": "The check's id, once done."}}


class CheckRunAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CoverageCheckRequest.Status.choices)
    status_url = serializers.URLField(help_text="GET it to follow the check.")


# ------------------------------------------------------------------------------ flags


class FlagSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:flag-detail")
    reference = serializers.CharField(source="agreement.reference", read_only=True)
    client_name = serializers.CharField(source="agreement.client.name", read_only=True)
    state = serializers.SerializerMethodField()
    acknowledged_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CoverageFlag
        fields = (
            "id",
            "url",
            "state",
            "status",
            "risk_kind",
            "agreement",
            "reference",
            "client_name",
            "requirement",
            "requirement_label",
            "reason",
            "qualified_count",
            "lapses_on",
            "first_detected_at",
            "last_seen_at",
            "resolved_at",
            "acknowledged_by",
            "acknowledged_at",
            "opened_by_check",
            "resolved_by_check",
        )
        read_only_fields = fields
        extra_kwargs = {"requirement": {"help_text": "Null once the requirement is deleted."}}

    @extend_schema_field(serializers.ChoiceField(choices=["open", "resolved"]))
    def get_state(self, flag) -> str:
        return "open" if flag.is_open else "resolved"


# ------------------------------------------------------------------------------ live coverage


class CheckRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.HyperlinkedIdentityField(view_name="api:check-detail")
    finished_at = serializers.DateTimeField()


class FlagRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.HyperlinkedIdentityField(view_name="api:flag-detail")
    status = serializers.ChoiceField(choices=CoverageFlag.Status.choices)
    risk_kind = risk_kind_field()
    requirement = serializers.IntegerField(source="requirement_id", allow_null=True)
    reason = serializers.CharField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)


class AgreementCoverageSerializer(serializers.Serializer):
    """The agreement page's coverage panel."""

    agreement = AgreementRefSerializer()
    day = serializers.DateField()
    status = serializers.ChoiceField(
        source="coverage.status",
        choices=CoverageStatus.choices,
        allow_null=True,
        help_text="Evaluated now; null for an agreement not active today (a draft gets its "
        "pre-sale verdict instead).",
    )
    risk_kind = risk_kind_field(source="coverage.risk_kind", allow_null=True)
    presale = VerdictSerializer(
        allow_null=True, help_text="A draft's verdict, as if it were active on its start date."
    )
    newest_check = CheckRefSerializer(source="freshness.check", allow_null=True)
    changed_since_check = serializers.BooleanField(
        source="freshness.changed_since",
        help_text="Data coverage depends on has changed since the newest check.",
    )
    recorded_status = serializers.ChoiceField(
        choices=CoverageStatus.choices,
        allow_null=True,
        help_text="The agreement's status in the newest check; null when it did not see it.",
    )
    recorded_risk_kind = risk_kind_field()
    differs_from_check = serializers.BooleanField()
    requirements = LiveRequirementSerializer(source="requirement_rows", many=True)
    open_flags = FlagRefSerializer(source="flags", many=True)


class CheckedProgrammeRuleSerializer(serializers.Serializer):
    rule_id = serializers.IntegerField()
    text = serializers.CharField(help_text="“2 technicians certified MS-102”.")
    needed = serializers.IntegerField()
    has = serializers.IntegerField(help_text="Qualified on the check's day.")
    lasting = serializers.IntegerField(help_text="Still qualified at the end of the window.")
    status = serializers.CharField(help_text="met, at_risk or not_met.")
    lapses_on = serializers.DateField(allow_null=True)
    qualified = serializers.ListField(
        child=serializers.ListField(), help_text="[technician id, name] of those qualified."
    )


class CheckedProgrammeSerializer(serializers.ModelSerializer):
    """A partner programme as the check found it: met, at risk (a count drops below its
    minimum within the window, from `lapses_on`) or not met, with the reason and each rule's
    figures."""

    rules = CheckedProgrammeRuleSerializer(many=True, read_only=True)

    class Meta:
        model = CheckedProgramme
        fields = (
            "programme",
            "label",
            "status",
            "reason",
            "lapses_on",
            "benefit",
            "renewal_date",
            "rules",
        )
        read_only_fields = fields
