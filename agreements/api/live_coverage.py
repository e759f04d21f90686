"""Parts of the coverage answers that several topics of the API give: a technician, a candidate,
an agreement, a pre-sale verdict, and one agreement's requirements evaluated live as its page
shows them (its live coverage, and the pre-sale verdict of a draft)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.coverage import selectors
from agreements.coverage.models import CoverageStatus, GapCause, RiskKind
from agreements.models import Agreement, Requirement
from core.permissions import visible_to

MONEY = {"max_digits": 14, "decimal_places": 2}
RISK_KIND_HELP = (
    "At risk comes in two kinds: thin (fewer than the minimum of technicians qualify on the "
    "day) or lapsing (enough qualify, but coverage lapses inside the warning window); empty "
    "unless at risk."
)


def risk_kind_field(**kwargs) -> serializers.ChoiceField:
    """A status's kind: thin, lapsing, or empty unless at risk."""
    return serializers.ChoiceField(
        choices=RiskKind.choices, allow_blank=True, help_text=RISK_KIND_HELP, **kwargs
    )


class TechnicianRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CandidateSerializer(serializers.Serializer):
    """A technician close to qualifying: the right skill, a level too low or versions out of
    range."""

    technician_id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.IntegerField()
    version_range = serializers.CharField()
    gap = serializers.CharField(help_text="e.g. “level 2 of 3 needed”.")


def technician_refs(ids, names) -> list[dict]:
    return [{"id": pk, "name": name} for pk, name in zip(ids, names, strict=True)]


class AgreementRefSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name")

    class Meta:
        model = Agreement
        fields = ("id", "reference", "title", "status", "client", "client_name", "annual_value")
        read_only_fields = fields


class VerdictSerializer(serializers.Serializer):
    """The pre-sale verdict of a draft: deliverable, with risk, not deliverable, not assessed."""

    day = serializers.DateField(help_text="The start date, or today when that has passed.")
    status = serializers.ChoiceField(choices=CoverageStatus.choices)
    label = serializers.CharField(help_text="e.g. “Deliverable with risk”.")


class LiveCandidateSerializer(CandidateSerializer):
    open_goals = serializers.ListField(
        child=serializers.CharField(),
        help_text="The candidate's open training goals in the requirement's skill.",
    )


class MigrationSerializer(serializers.Serializer):
    """A version out of support on the day judged: the migration the client needs, the version
    it moves to and whether the team covers it (training goes there, never to the old one)."""

    version = serializers.IntegerField(source="move.version_id")
    version_label = serializers.CharField(source="move.label", help_text="e.g. “Exchange 2013”.")
    end_of_support = serializers.DateField(
        source="move.end_of_support",
        allow_null=True,
        help_text="Null: support has ended on a day the source does not give.",
    )
    moves_to = serializers.IntegerField(
        source="move.target_id", allow_null=True, help_text="Null when no successor is named."
    )
    moves_to_label = serializers.CharField(source="move.target_label")
    moves_to_supported = serializers.BooleanField(
        source="move.target_supported",
        help_text="False: no version of the chain is supported yet (the newest is named).",
    )
    moves_to_status = serializers.ChoiceField(
        source="target_coverage.status",
        choices=CoverageStatus.choices,
        allow_null=True,
        help_text="The team on the version moved to; null without a supported one.",
    )
    moves_to_candidates = CandidateSerializer(
        source="target_coverage.candidates", many=True, allow_null=True
    )
    annual_value = serializers.DecimalField(help_text="The ARR that depends on it.", **MONEY)


class LiveRequirementSerializer(serializers.Serializer):
    """A requirement of the agreement, evaluated now, beside what the newest check found."""

    id = serializers.IntegerField(source="requirement.pk")
    label = serializers.CharField(source="requirement")
    source = serializers.ChoiceField(source="requirement.source", choices=Requirement.Source)
    service = serializers.IntegerField(source="requirement.service_id", allow_null=True)
    min_level = serializers.IntegerField(source="requirement.min_level")
    min_technicians = serializers.IntegerField(source="requirement.min_technicians")
    status = serializers.ChoiceField(
        source="live.status",
        choices=CoverageStatus.choices,
        allow_null=True,
        help_text="Null when the agreement is not evaluated (not active today).",
    )
    risk_kind = risk_kind_field(source="live.risk_kind", allow_null=True)
    risk_detail = serializers.CharField(
        source="live.risk_detail",
        allow_null=True,
        help_text="What makes it at risk: “only 1 of 2 qualify”, “covered through 15 Jan "
        "2027”; empty unless at risk.",
    )
    qualified = serializers.SerializerMethodField()
    lasting_count = serializers.IntegerField(
        source="live.lasting_count",
        allow_null=True,
        help_text="Still qualified at the end of the warning window.",
    )
    lapses_on = serializers.DateField(source="live.lapses_on", allow_null=True)
    reason = serializers.CharField(source="live.reason", allow_null=True)
    gap_starts_at = serializers.DateTimeField(
        source="live.gap_starts_at",
        allow_null=True,
        help_text="The first half hour of the support window nobody qualified covers (uncovered, "
        "or at risk with a dated gap); null otherwise.",
    )
    gap_ends_at = serializers.DateTimeField(
        source="live.gap_ends_at",
        allow_null=True,
        help_text="The end of that run of half hours, cut at the client's midnight.",
    )
    gap_cause = serializers.ChoiceField(
        source="live.gap_cause",
        choices=GapCause.choices,
        allow_blank=True,
        allow_null=True,
        help_text="Why nobody covers the first gap; empty without one.",
    )
    uncovered_hours = serializers.DecimalField(
        source="live.uncovered_hours",
        max_digits=5,
        decimal_places=1,
        allow_null=True,
        help_text="Hours of the support window's week that nobody qualified covers.",
    )
    candidates = serializers.SerializerMethodField()
    recorded_status = serializers.ChoiceField(
        choices=CoverageStatus.choices,
        allow_null=True,
        help_text="What the newest check found (covered unless it recorded otherwise).",
    )
    recorded_risk_kind = risk_kind_field()
    differs = serializers.BooleanField(
        help_text="The live status, or its kind, differs from the check's."
    )
    migration = MigrationSerializer(
        allow_null=True, help_text="Set when the version is out of support on the day judged."
    )

    @extend_schema_field(TechnicianRefSerializer(many=True))
    def get_qualified(self, row) -> list[dict]:
        if row.live is None:
            return []
        return technician_refs(row.live.qualified_ids, row.live.qualified_names)

    @extend_schema_field(LiveCandidateSerializer(many=True))
    def get_candidates(self, row) -> list[dict]:
        if row.live is None:
            return []
        goals = self.context["candidate_goals"]
        return [
            {
                **CandidateSerializer(candidate).data,
                "open_goals": goals.get(candidate.technician_id, {}).get(
                    row.requirement.skill_id, []
                ),
            }
            for candidate in row.live.candidates
        ]


class WeekCellSerializer(serializers.Serializer):
    """A half hour of the client's day."""

    label = serializers.CharField(help_text="e.g. “Mon 09:00”, in the client's time.")
    count = serializers.IntegerField(
        allow_null=True,
        help_text="Qualified people at work or on call (for an agreement, the fewest over its "
        "requirements); null for a local time that does not exist that day (a clock change).",
    )
    in_window = serializers.BooleanField(help_text="Inside the agreement's support window.")
    gap = serializers.BooleanField(help_text="In the window, and nobody qualified present.")


class WeekGapSerializer(serializers.Serializer):
    day = serializers.DateField(help_text="The client's local date.")
    hours = serializers.CharField(help_text="e.g. “00:00–09:00”, in the client's time.")
    cause = serializers.ChoiceField(choices=GapCause.choices, allow_blank=True)


class WeekGridSerializer(serializers.Serializer):
    """A week of the support window in the client's time, evaluated now: 7 days of 48 half
    hours, each with how many qualified people are at work or on call."""

    zone = serializers.CharField(help_text="The client's time zone (IANA name).")
    days = serializers.ListField(child=serializers.DateField(), help_text="Today and 6 more.")
    rows = serializers.ListField(
        child=WeekCellSerializer(many=True), help_text="One list of 48 half hours per day."
    )
    gaps = WeekGapSerializer(many=True, help_text="The gaps in the window, as named ranges.")
    uncovered_hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, help_text="Hours of the window nobody qualified covers."
    )


def agreement_for(request, pk) -> Agreement:
    return get_object_or_404(visible_to(request.user, Agreement).select_related("client"), pk=pk)


def agreement_coverage_data(request, agreement: Agreement) -> dict:
    """The agreement page's coverage panel (the same selector, without the week grid: its own
    endpoint gives it), for the API's serializers."""
    panel = selectors.agreement_coverage(
        agreement=agreement, user=request.user, day=timezone.localdate(), week=False
    )
    return {**panel, "agreement": agreement}
