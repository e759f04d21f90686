"""The coverage views: the recorded checks and their rows, "Run coverage check now", the flags
and one agreement's live coverage."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from agreements.api.coverage.filters import (
    CheckedAgreementFilter,
    CheckedEndOfSupportFilter,
    CheckedRequirementFilter,
)
from agreements.api.coverage.serializers import (
    AgreementCoverageSerializer,
    CheckedAgreementSerializer,
    CheckedEndOfSupportSerializer,
    CheckedProgrammeSerializer,
    CheckedRequirementSerializer,
    CheckRequestSerializer,
    CheckRunAcceptedSerializer,
    CheckSerializer,
    FlagSerializer,
)
from agreements.api.live_coverage import (
    WeekGridSerializer,
    agreement_coverage_data,
    agreement_for,
)
from agreements.api.pagination import NewestFirstCursorPagination
from agreements.api.schema import Detail
from agreements.coverage import check_now, selectors
from agreements.coverage.drafts_and_end_of_support import presale_day
from agreements.coverage.filters import FlagFilter
from agreements.coverage.flags import flag_acknowledge
from agreements.coverage.models import (
    CheckedAgreement,
    CheckedEndOfSupport,
    CheckedProgramme,
    CheckedRequirement,
    CoverageCheck,
    CoverageCheckRequest,
    CoverageFlag,
)
from agreements.coverage.support_window import week_grid
from agreements.models import Agreement, Requirement
from core.permissions import visible_to

# ------------------------------------------------------------------------------ checks


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


@extend_schema(
    summary="The partner programmes as a check found them",
    description="Not met first, then at risk (soonest lapse first), then met; with the yearly "
    "benefit at stake, the reason and each rule's figures.",
)
class CheckProgrammeListView(CheckRowsView):
    queryset = CheckedProgramme.objects.none()  # the model, for the schema
    serializer_class = CheckedProgrammeSerializer

    def get_queryset(self):
        return selectors.programme_results(self.get_check())


# ------------------------------------------------------------------------------ run a check now


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
        # A broker that cannot be reached raises QueueUnavailable: a 503 (errors.py).
        queued = check_now.coverage_check_request(user=request.user)
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


# ------------------------------------------------------------------------------ week grids


def _week_grid_response(agreement: Agreement, *, requirement_id=None) -> Response:
    """From today for an agreement active today, from its pre-sale day for a draft."""
    today = timezone.localdate()
    if agreement.status == Agreement.Status.DRAFT:
        day = presale_day(agreement.start_date, today)
    elif Agreement.objects.active_on(today).filter(pk=agreement.pk).exists():
        day = today
    else:
        raise NotFound("The week is drawn for agreements active today and drafts; not this one.")
    grid = week_grid(agreement_id=agreement.pk, day=day, requirement_id=requirement_id)
    return Response(WeekGridSerializer(grid).data)


WEEK_GRID_DESCRIPTION = (
    "7 days from today of 48 half hours, in the client's time: per half hour how many qualified "
    "people are at work or on call (working hours, time off, on-call rotas and overrides, last "
    "days, certification expiry), whether it is inside the support window, and whether it is a "
    "gap; then the gaps as named ranges with their cause and the hours uncovered. A draft's "
    "week starts on its pre-sale day (its start date, or today when that has passed); 404 for "
    "another agreement not active today."
)


class AgreementWeekGridView(APIView):
    permission_model = Agreement

    @extend_schema(
        summary="One agreement's week in the client's time, evaluated now",
        description=WEEK_GRID_DESCRIPTION
        + " For the agreement, a half hour counts the fewest present over its requirements.",
        responses={200: WeekGridSerializer},
    )
    def get(self, request, pk):
        return _week_grid_response(agreement_for(request, pk))


class RequirementWeekGridView(APIView):
    permission_model = Agreement

    @extend_schema(
        summary="A requirement's week in the client's time, evaluated now",
        description=WEEK_GRID_DESCRIPTION,
        responses={200: WeekGridSerializer},
    )
    def get(self, request, pk):
        requirement = get_object_or_404(
            visible_to(request.user, Requirement).select_related("agreement"), pk=pk
        )
        return _week_grid_response(requirement.agreement, requirement_id=requirement.pk)
