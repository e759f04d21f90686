"""Coverage in the API: the recorded checks with their agreements and requirements, one
agreement's live coverage, the flags, "Run coverage check now" and the what-if.

Thin, as the coverage pages are: checks and flags are read from the record (DESIGN "Coverage
checks are recorded"), only one agreement is evaluated live, and every answer comes from the
selectors and services the pages use, with the pages' roles.
"""

import django_filters
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from agreements.api.pagination import NewestFirstCursorPagination
from agreements.api.schema import Detail
from agreements.coverage import check_now, selectors
from agreements.coverage.filters import FlagFilter
from agreements.coverage.flags import flag_acknowledge
from agreements.coverage.models import (
    CheckedAgreement,
    CheckedEndOfSupport,
    CheckedRequirement,
    CoverageCheck,
    CoverageCheckRequest,
    CoverageFlag,
    CoverageRun,
    CoverageStatus,
)
from agreements.models import Agreement, Requirement
from agreements.planning.whatif import what_if_technicians_leave
from core.permissions import visible_to
from core.validators import date_in_range
from skills.selectors import technicians_available_to

MONEY = {"max_digits": 14, "decimal_places": 2}
WHAT_IF_MAX_TECHNICIANS = 50  # as the what-if page's form
WHAT_IF_MAX_ROWS = 500  # agreements per list of one what-if answer


# ------------------------------------------------------------------------------ shared parts


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


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
            "new_flags_count",
            "resolved_flags_count",
            "open_flags_count",
            "drafts_not_deliverable_count",
            "drafts_not_deliverable_value",
            "end_of_support_arr_not_covered",
            "details_pruned_at",
            "nightly_run",
            "agreements_url",
            "requirements_url",
            "end_of_support_url",
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
        fields = ("agreement", "reference", "title", "client_name", "status", "annual_value")
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
            "min_technicians",
            "qualified_count",
            "lasting_count",
            "lapses_on",
            "reason",
            "qualified",
            "candidates",
            "is_new",
        )
        read_only_fields = fields


class CheckedEndOfSupportSerializer(RecordedQualifiedMixin, serializers.ModelSerializer):
    """A client version reaching end of support within 12 months of the check, and whether
    the team covered its successor on the check's day."""

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
            "successor",
            "successor_label",
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


class CheckedEndOfSupportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[(v, label) for v, label in CoverageStatus.choices if v != "not_assessed"]
    )
    client = django_filters.NumberFilter(field_name="client_id")

    class Meta:
        model = CheckedEndOfSupport
        fields = ["status", "client"]


class CheckedAgreementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CoverageStatus.choices)

    class Meta:
        model = CheckedAgreement
        fields = ["status"]


class CheckedRequirementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CoverageFlag.Status.choices)
    is_new = django_filters.BooleanFilter(help_text="Only those whose flag the check opened.")
    agreement = django_filters.NumberFilter(field_name="agreement_id")

    class Meta:
        model = CheckedRequirement
        fields = ["status", "is_new", "agreement"]


@extend_schema_view(
    list=extend_schema(summary="Recorded coverage checks, newest first"),
    retrieve=extend_schema(summary="A coverage check and its figures"),
)
class CheckViewSet(viewsets.ReadOnlyModelViewSet):
    """The recorded coverage checks: nightly ones and those run by hand."""

    serializer_class = CheckSerializer
    pagination_class = NewestFirstCursorPagination
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return (
            visible_to(self.request.user, CoverageCheck)
            .select_related("run", "requested_by")
            .defer("report")
        )

    @extend_schema(
        summary="The newest coverage check",
        description="The check the coverage pages read. 404 when none has been recorded.",
    )
    @action(detail=False)
    def latest(self, request):
        check = self.get_queryset().order_by("-finished_at", "-pk").first()
        if check is None:
            raise NotFound(
                "No coverage check has been recorded yet: the nightly check records one, or "
                "run one now with POST /api/v1/checks/run/."
            )
        return Response(self.get_serializer(check).data)


class CheckRowsView(ListAPIView):
    """Rows of one recorded check, in the order they were written."""

    permission_model = CoverageCheck

    def get_check(self) -> CoverageCheck:
        checks = visible_to(self.request.user, CoverageCheck).defer("report")
        return get_object_or_404(checks, pk=self.kwargs["pk"])


@extend_schema(summary="The agreements of a check, with the status it recorded")
class CheckAgreementListView(CheckRowsView):
    queryset = CheckedAgreement.objects.none()  # the model, for the schema
    serializer_class = CheckedAgreementSerializer
    filterset_class = CheckedAgreementFilter

    def get_queryset(self):
        return selectors.check_agreement_results(self.get_check())


@extend_schema(
    summary="The requirements a check found uncovered or at risk",
    description="With the reasons, the qualified technicians and the nearest candidates, as "
    "the check recorded them. Empty for a check whose details were pruned.",
)
class CheckRequirementListView(CheckRowsView):
    queryset = CheckedRequirement.objects.none()  # the model, for the schema
    serializer_class = CheckedRequirementSerializer
    filterset_class = CheckedRequirementFilter

    def get_queryset(self):
        return selectors.check_requirement_results(self.get_check())


@extend_schema(
    summary="The client versions a check found reaching end of support within 12 months",
    description="Those already past it included, by date; with the successor, whether the "
    "team covered it at the level the client's agreements ask, and the ARR concerned. Empty "
    "for a check whose details were pruned.",
)
class CheckEndOfSupportListView(CheckRowsView):
    queryset = CheckedEndOfSupport.objects.none()  # the model, for the schema
    serializer_class = CheckedEndOfSupportSerializer
    filterset_class = CheckedEndOfSupportFilter

    def get_queryset(self):
        return CheckedEndOfSupport.objects.filter(coverage_check=self.get_check()).order_by(
            "end_of_support", "client_name", "pk"
        )


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


class QueueUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = (
        "The job queue cannot be reached right now, so no check was started. Try again in a "
        "few minutes; the nightly check runs as scheduled."
    )
    default_code = "queue_unavailable"


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class CheckRunView(APIView):
    """Queue a manual check for today. Not atomic: the request row is committed before the
    task is queued, so that the worker finds it (check_now.coverage_check_request)."""

    permission_model = CoverageCheck  # add_coveragecheck, as the pages' "Run coverage check now"

    @extend_schema(
        summary="Run a coverage check now",
        description="Queues a check for today, as the pages' “Run coverage check now”: it "
        "never claims the day's nightly run and never sends the report. Follow it at "
        "`status_url`.",
        request=None,
        responses={
            202: CheckRunAcceptedSerializer,
            503: OpenApiResponse(Detail, description="The job queue cannot be reached."),
        },
    )
    def post(self, request):
        try:
            queued = check_now.coverage_check_request(user=request.user)
        except check_now.QueueUnavailable:
            raise QueueUnavailable() from None
        status_url = reverse("api:check-request", args=[queued.pk], request=request)
        return Response(
            {"id": queued.pk, "status": queued.status, "status_url": status_url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": status_url},
        )


@extend_schema(
    summary="The state of a check run now",
    description="queued, running, done (with the check it recorded) or failed (with why).",
)
class CheckRequestView(RetrieveAPIView):
    serializer_class = CheckRequestSerializer

    def get_queryset(self):
        return visible_to(self.request.user, CoverageCheckRequest).select_related("requested_by")


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


@extend_schema_view(
    list=extend_schema(summary="Coverage flags, newest first, with the flags page's filters"),
    retrieve=extend_schema(summary="A coverage flag"),
)
class FlagViewSet(viewsets.ReadOnlyModelViewSet):
    """Uncovered and at-risk requirements as the checks flagged them: open until coverage is
    restored."""

    serializer_class = FlagSerializer
    filterset_class = FlagFilter
    pagination_class = NewestFirstCursorPagination
    # Any segment reaches the view: a viewer's acknowledge is refused for their role first.
    lookup_value_regex = "[^/]+"
    permission_actions = {"acknowledge": "change"}

    def get_queryset(self):
        return visible_to(self.request.user, CoverageFlag).select_related(
            "agreement__client", "acknowledged_by"
        )

    @extend_schema(
        summary="Acknowledge an open flag",
        description="Records who saw it and when; it stays open until coverage is restored. "
        "A resolved flag is refused (400).",
        request=None,
        responses={200: FlagSerializer},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        flag = self.get_object()
        flag_acknowledge(flag=flag, user=request.user)
        return Response(self.get_serializer(flag).data)


# ------------------------------------------------------------------------------ live coverage


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
    qualified = serializers.SerializerMethodField()
    lasting_count = serializers.IntegerField(
        source="live.lasting_count",
        allow_null=True,
        help_text="Still qualified at the end of the warning window.",
    )
    lapses_on = serializers.DateField(source="live.lapses_on", allow_null=True)
    reason = serializers.CharField(source="live.reason", allow_null=True)
    candidates = serializers.SerializerMethodField()
    recorded_status = serializers.ChoiceField(
        choices=CoverageStatus.choices,
        allow_null=True,
        help_text="What the newest check found (covered unless it recorded otherwise).",
    )
    differs = serializers.BooleanField(help_text="The live status differs from the check's.")

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


class CheckRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.HyperlinkedIdentityField(view_name="api:check-detail")
    finished_at = serializers.DateTimeField()


class FlagRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.HyperlinkedIdentityField(view_name="api:flag-detail")
    status = serializers.ChoiceField(choices=CoverageFlag.Status.choices)
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
    differs_from_check = serializers.BooleanField()
    requirements = LiveRequirementSerializer(source="requirement_rows", many=True)
    open_flags = FlagRefSerializer(source="flags", many=True)


def agreement_for(request, pk) -> Agreement:
    return get_object_or_404(visible_to(request.user, Agreement).select_related("client"), pk=pk)


def agreement_coverage_data(request, agreement: Agreement) -> dict:
    """The agreement page's coverage panel (the same selector), for the API's serializers."""
    panel = selectors.agreement_coverage(
        agreement=agreement, user=request.user, day=timezone.localdate()
    )
    return {**panel, "agreement": agreement}


class AgreementCoverageView(APIView):
    permission_model = Agreement

    @extend_schema(
        summary="One agreement's coverage, evaluated now",
        description="As the agreement page shows it: the status today, per requirement the "
        "qualified technicians, the reasons and the nearest candidates, and where that differs "
        "from the newest check. A draft is judged as if active on its start date (presale).",
        responses={200: AgreementCoverageSerializer},
    )
    def get(self, request, pk):
        data = agreement_coverage_data(request, agreement_for(request, pk))
        serializer = AgreementCoverageSerializer(
            data, context={"request": request, "candidate_goals": data["candidate_goals"]}
        )
        return Response(serializer.data)


# ------------------------------------------------------------------------------ what-if


class WhatIfInputSerializer(serializers.Serializer):
    technician_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=WHAT_IF_MAX_TECHNICIANS,
        help_text=f"The technicians to imagine gone (at most {WHAT_IF_MAX_TECHNICIANS}), each "
        "available on the day.",
    )
    day = serializers.DateField(
        required=False, validators=[date_in_range], help_text="Default: today."
    )
    offset = serializers.IntegerField(
        required=False, default=0, min_value=0, help_text="Rows of each list to skip."
    )
    limit = serializers.IntegerField(
        required=False,
        default=100,
        min_value=1,
        max_value=WHAT_IF_MAX_ROWS,
        help_text="Rows of each list to give; the counts give them all.",
    )

    def validate(self, attrs):
        attrs["day"] = attrs.get("day") or timezone.localdate()
        ids = list(dict.fromkeys(attrs["technician_ids"]))
        technicians = technicians_available_to(self.context["request"].user, day=attrs["day"])
        names = dict(technicians.filter(pk__in=ids).values_list("pk", "name"))
        unknown = [str(pk) for pk in ids if pk not in names]
        if unknown:
            raise serializers.ValidationError(
                {
                    "technician_ids": [
                        "Not a technician available on that day: " + ", ".join(unknown) + "."
                    ]
                }
            )
        attrs["technicians"] = [{"id": pk, "name": names[pk]} for pk in ids]
        return attrs


class RequirementChangeSerializer(serializers.Serializer):
    requirement_id = serializers.IntegerField()
    label = serializers.CharField()
    before = serializers.ChoiceField(choices=CoverageStatus.choices)
    after = serializers.ChoiceField(choices=CoverageStatus.choices)
    reason = serializers.CharField(help_text="Why it is not covered afterwards; empty if it is.")
    remaining_names = serializers.ListField(
        child=serializers.CharField(), help_text="Who would still qualify."
    )
    qualified_before = serializers.IntegerField()
    qualified_after = serializers.IntegerField()
    lasting_before = serializers.IntegerField()
    lasting_after = serializers.IntegerField()


class AgreementChangeSerializer(serializers.Serializer):
    agreement_id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    client_name = serializers.CharField()
    annual_value = serializers.DecimalField(**MONEY)
    before = serializers.ChoiceField(choices=CoverageStatus.choices)
    after = serializers.ChoiceField(choices=CoverageStatus.choices)
    requirements = RequirementChangeSerializer(many=True)


class WhatIfSerializer(serializers.Serializer):
    """The what-if page's answer: only the agreements relying on the chosen technicians are
    evaluated, as things are and without them."""

    day = serializers.DateField()
    technicians = TechnicianRefSerializer(many=True)
    warning_days = serializers.IntegerField(source="result.scenario.warning_days")
    relying_count = serializers.IntegerField(
        help_text="Agreements with a requirement one of the technicians meets."
    )
    arr_affected = serializers.DecimalField(source="result.arr_affected", **MONEY)
    arr_newly_uncovered = serializers.DecimalField(source="result.arr_newly_uncovered", **MONEY)
    arr_newly_at_risk = serializers.DecimalField(source="result.arr_newly_at_risk", **MONEY)
    arr_uncovered_before = serializers.DecimalField(
        source="result.baseline.arr_uncovered",
        help_text="ARR uncovered today among the agreements relying on them.",
        **MONEY,
    )
    arr_uncovered_after = serializers.DecimalField(source="result.scenario.arr_uncovered", **MONEY)
    arr_at_risk_before = serializers.DecimalField(source="result.baseline.arr_at_risk", **MONEY)
    arr_at_risk_after = serializers.DecimalField(source="result.scenario.arr_at_risk", **MONEY)
    changes_count = serializers.IntegerField()
    changes = AgreementChangeSerializer(
        many=True, help_text="Agreements that would get worse: worst first, then by value."
    )
    thinner_count = serializers.IntegerField()
    thinner = AgreementChangeSerializer(
        many=True, help_text="Agreements that keep their status with fewer qualified people."
    )


class WhatIfViewSet(viewsets.GenericViewSet):
    """What if these technicians left? Nothing is saved. Whoever may see the what-if page may
    ask (viewers too): it reads only."""

    permission_model = Agreement
    permission_actions = {"create": "view"}
    serializer_class = WhatIfInputSerializer

    @extend_schema(
        summary="What if these technicians left?",
        request=WhatIfInputSerializer,
        responses={200: WhatIfSerializer},
    )
    def create(self, request):
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        asked = given.validated_data
        result = what_if_technicians_leave(
            technician_ids=[technician["id"] for technician in asked["technicians"]],
            day=asked["day"],
        )
        rows = slice(asked["offset"], asked["offset"] + asked["limit"])
        answer = {
            "day": result.day,
            "technicians": asked["technicians"],
            "result": result,
            "relying_count": len(result.baseline.agreements),
            "changes_count": len(result.changes),
            "changes": result.changes[rows],
            "thinner_count": len(result.thinner),
            "thinner": result.thinner[rows],
        }
        return Response(WhatIfSerializer(answer).data)
