"""The pre-sale check in the API (DESIGN "Before signing"): a draft agreement's verdict as its
page shows it, and the prospect check with the same input as its page's form. Nothing is
written: the prospect's client and draft live in a transaction that is always rolled back
(planning/prospect_check.py)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.api.live_coverage import (
    MONEY,
    AgreementRefSerializer,
    CandidateSerializer,
    LiveRequirementSerializer,
    MigrationSerializer,
    TechnicianRefSerializer,
    VerdictSerializer,
    agreement_coverage_data,
    agreement_for,
    risk_kind_field,
    technician_refs,
)
from agreements.coverage.models import CoverageStatus
from agreements.models import Agreement, Service
from agreements.planning.prospect_check import MAX_LINES, ProspectInput, prospect_check
from core.bounds import ID_MAX
from core.permissions import visible_to
from core.validators import date_in_range

MAX_SERVICES = 100

# ------------------------------------------------------------------------------ a draft


class DraftVerdictSerializer(serializers.Serializer):
    agreement = AgreementRefSerializer()
    verdict = VerdictSerializer(source="presale")
    requirements = LiveRequirementSerializer(source="requirement_rows", many=True)


class AgreementPresaleView(APIView):
    permission_model = Agreement

    @extend_schema(
        summary="Can we deliver this draft?",
        description="The draft agreement's pre-sale verdict as its page shows it: evaluated "
        "live as if it were active on its start date (today when that has passed), per "
        "requirement with the reasons and the nearest candidates; nothing is recorded. 404 "
        "for an agreement that is not a draft.",
        responses={200: DraftVerdictSerializer},
    )
    def get(self, request, pk):
        agreement = agreement_for(request, pk)
        if agreement.status != Agreement.Status.DRAFT:
            raise NotFound(
                f"{agreement.reference} is {agreement.get_status_display().lower()}, not a "
                "draft: only a draft has a pre-sale verdict. Its coverage is at "
                f"/api/v1/agreements/{agreement.pk}/coverage/."
            )
        data = agreement_coverage_data(request, agreement)
        serializer = DraftVerdictSerializer(
            data, context={"request": request, "candidate_goals": data["candidate_goals"]}
        )
        return Response(serializer.data)


# ------------------------------------------------------------------------------ a prospect


class ProspectInputSerializer(serializers.Serializer):
    """The prospect check page's form: what we would sell and what the prospect runs."""

    services = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        max_length=MAX_SERVICES,
        allow_empty=False,
        error_messages={"empty": "Choose at least one service."},
        help_text="Ids of active services.",
    )
    technologies = serializers.CharField(
        max_length=5000,
        help_text="What the prospect runs, one per line or separated by commas, as its "
        f"inventory spells it (read through the product aliases; at most {MAX_LINES} items).",
    )
    start_date = serializers.DateField(validators=[date_in_range])
    annual_value = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    support_hours = serializers.ChoiceField(choices=Agreement.SupportHours.choices)
    sla_response_hours = serializers.IntegerField(min_value=1, max_value=720, default=4)

    def validate_services(self, ids):
        ids = list(dict.fromkeys(ids))
        services = visible_to(self.context["request"].user, Service).filter(is_active=True)
        found = services.in_bulk(ids)
        unknown = [str(pk) for pk in ids if pk not in found]
        if unknown:
            raise serializers.ValidationError(f"Not an active service: {', '.join(unknown)}.")
        return [found[pk] for pk in ids]

    def prospect(self) -> ProspectInput:
        data = self.validated_data
        return ProspectInput(
            services=data["services"],
            technologies=data["technologies"],
            start_date=data["start_date"],
            annual_value=data.get("annual_value"),
            support_hours=data["support_hours"],
            sla_response_hours=data["sla_response_hours"],
        )


class TechnologySerializer(serializers.Serializer):
    text = serializers.CharField(help_text="As given.")
    skill = serializers.IntegerField(source="skill.pk")
    skill_name = serializers.CharField(source="skill.name")
    version = serializers.IntegerField(source="version.pk", allow_null=True)
    version_label = serializers.CharField(source="version.label", allow_null=True)


class ProspectRequirementSerializer(serializers.Serializer):
    label = serializers.CharField()
    status = serializers.ChoiceField(choices=CoverageStatus.choices)
    risk_kind = risk_kind_field()
    min_technicians = serializers.IntegerField()
    qualified = serializers.SerializerMethodField()
    lasting_count = serializers.IntegerField()
    lapses_on = serializers.DateField(allow_null=True)
    reason = serializers.CharField()
    candidates = CandidateSerializer(many=True)

    @extend_schema_field(TechnicianRefSerializer(many=True))
    def get_qualified(self, requirement) -> list[dict]:
        return technician_refs(requirement.qualified_ids, requirement.qualified_names)


class PlannedGoalSerializer(serializers.Serializer):
    """A training goal that would close a gap: the nearest candidate, due before the start."""

    requirement = serializers.CharField(help_text="What the deal requires.")
    technician = serializers.SerializerMethodField()
    gap = serializers.CharField()
    skill = serializers.IntegerField(source="skill_id", allow_null=True)
    target_level = serializers.IntegerField(allow_null=True)
    target_version = serializers.IntegerField(source="target_version_id", allow_null=True)
    certification = serializers.IntegerField(source="certification_id", allow_null=True)
    due_date = serializers.DateField()
    migrating_from = serializers.CharField(
        help_text="For a migration: the version out of support it replaces; else empty."
    )

    @extend_schema_field(TechnicianRefSerializer)
    def get_technician(self, goal) -> dict:
        return {"id": goal.technician_id, "name": goal.technician}


class ProspectResultSerializer(serializers.Serializer):
    verdict = VerdictSerializer()
    annual_value = serializers.DecimalField(allow_null=True, **MONEY)
    at_stake = serializers.DecimalField(
        allow_null=True,
        help_text="The deal's value when it is at risk or not deliverable; else null.",
        **MONEY,
    )
    technologies = TechnologySerializer(many=True, help_text="What the lines were read as.")
    unknown = serializers.ListField(
        child=serializers.CharField(), help_text="Lines no product alias matched."
    )
    requirements = ProspectRequirementSerializer(many=True)
    plan = PlannedGoalSerializer(many=True, help_text="The proposed training plan.")
    short_of = serializers.ListField(
        child=serializers.CharField(),
        help_text="Requirements some qualify for, but fewer than needed: who qualifies, how "
        "many more are needed and who is nearest.",
    )
    without_candidate = serializers.ListField(
        child=serializers.CharField(),
        help_text="Requirements nobody has the skill for: hire, or train someone from scratch.",
    )
    migrations = MigrationSerializer(
        many=True, help_text="What the prospect runs out of support: the migrations it needs."
    )


class ProspectCheckViewSet(viewsets.GenericViewSet):
    """ "Can we deliver this deal?" for a prospect. Whoever may submit the page's form may ask:
    checking a deal drafts one (add_agreement), even though nothing is kept."""

    permission_model = Agreement
    serializer_class = ProspectInputSerializer

    @extend_schema(
        summary="Can we deliver this deal? (a prospect)",
        description="The prospect check page's verdict for the same input: the deal evaluated "
        "as if active on its start date (today when that has passed), the value at stake and "
        "a proposed training plan. Nothing is written.",
        request=ProspectInputSerializer,
        responses={200: ProspectResultSerializer},
    )
    def create(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        result = prospect_check(prospect=given.prospect(), day=timezone.localdate())
        return Response(ProspectResultSerializer(result).data)
