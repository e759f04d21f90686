"""The API's views over the domain's rows: thin, as the pages' views are. They fetch through the
role-scoped querysets of core.permissions, filter with the pages' FilterSets and write through
the apps' services, naming the caller as the user of every history row."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.shortcuts import redirect
from django.views.generic import FormView
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agreements.api import serializers
from agreements.api.forms import ApiTokenForm
from agreements.api.models import ApiToken
from agreements.api.services import api_token_create, api_token_revoke
from agreements.filters import AgreementFilter
from agreements.models import Agreement, Service
from agreements.planning.models import Competitor
from agreements.planning.services import training_goal_complete
from clients.filters import ClientFilter
from clients.models import Client
from core.forms import apply_validation_error
from core.permissions import visible_to
from core.services import history_user
from skills.filters import SkillFilter, TechnicianFilter
from skills.models import (
    Certification,
    Skill,
    SkillAlias,
    SkillCategory,
    SkillVersion,
    Technician,
    TrainingGoal,
)
from skills.services import training_goal_cancel, training_goal_start


def without_sort(filterset_class):
    """A page's FilterSet for the API: its filters without its "sort", since an API list keeps
    the order of its cursor."""

    class ApiFilter(filterset_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.filters.pop("sort", None)

    ApiFilter.base_filters.pop("sort", None)
    ApiFilter.__name__ = ApiFilter.__qualname__ = filterset_class.__name__
    return ApiFilter


class RowsViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and update for the roles that may; delete for admins (permissions.py).
    `model` names the rows, `related` what every row's serializer reads along."""

    model: type[Model]
    # Any path segment reaches the view, which answers a malformed id with the API's own 404.
    lookup_value_regex = "[^/]+"
    select: tuple[str, ...] = ()
    prefetch: tuple = ()

    def get_queryset(self) -> QuerySet:
        queryset = visible_to(self.request.user, self.model)
        return queryset.select_related(*self.select).prefetch_related(*self.prefetch)

    def perform_create(self, serializer):
        with history_user(self.request.user):
            serializer.save()

    def perform_update(self, serializer):
        with history_user(self.request.user):
            serializer.save()

    def perform_destroy(self, instance):
        with history_user(self.request.user):
            instance.delete()


# ------------------------------------------------------------------------------ clients


class ClientViewSet(RowsViewSet):
    """Clients with their contacts and environment (what runs on their LAN)."""

    model = Client
    serializer_class = serializers.ClientSerializer
    filterset_class = without_sort(ClientFilter)
    prefetch = ("contacts", "technologies")


# ------------------------------------------------------------------------------ catalog


class SkillCategoryViewSet(RowsViewSet):
    model = SkillCategory
    serializer_class = serializers.SkillCategorySerializer


class SkillViewSet(RowsViewSet):
    model = Skill
    serializer_class = serializers.SkillSerializer
    filterset_class = without_sort(SkillFilter)


class SkillVersionViewSet(RowsViewSet):
    model = SkillVersion
    serializer_class = serializers.SkillVersionSerializer
    filterset_fields = ("skill",)


class SkillAliasViewSet(RowsViewSet):
    model = SkillAlias
    serializer_class = serializers.SkillAliasSerializer
    filterset_fields = ("skill",)


class CertificationViewSet(RowsViewSet):
    model = Certification
    serializer_class = serializers.CertificationSerializer
    filterset_fields = ("is_baseline",)


class ServiceViewSet(RowsViewSet):
    model = Service
    serializer_class = serializers.ServiceSerializer
    filterset_fields = ("is_active",)
    prefetch = ("skills_in_scope",)


# ------------------------------------------------------------------------------ technicians


class TechnicianViewSet(RowsViewSet):
    """Technicians with their skills (level and version range) and certifications held."""

    model = Technician
    serializer_class = serializers.TechnicianSerializer
    filterset_class = without_sort(TechnicianFilter)
    prefetch = ("skills", "certifications")


class TrainingGoalViewSet(RowsViewSet):
    """The plan of attack's goals; start, cancel and complete move a goal on, as the page does."""

    model = TrainingGoal
    serializer_class = serializers.TrainingGoalSerializer
    filterset_fields = ("technician", "status", "skill", "certification")
    permission_actions = {"start": "change", "cancel": "change", "complete": "change"}

    @extend_schema(request=None, responses=serializers.TrainingGoalSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._moved(training_goal_start)

    @extend_schema(request=None, responses=serializers.TrainingGoalSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._moved(training_goal_cancel)

    @extend_schema(
        request=serializers.GoalCompletionSerializer, responses=serializers.TrainingGoalSerializer
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Done: what was learned is recorded on the technician (the goal's targets unless the
        body says otherwise) and a coverage check is queued."""
        completion = serializers.GoalCompletionSerializer(data=request.data)
        completion.is_valid(raise_exception=True)
        goal = self.get_object()
        with history_user(request.user):
            training_goal_complete(goal=goal, user=request.user, **completion.validated_data)
        goal.refresh_from_db()
        return Response(self.get_serializer(goal).data)

    def _moved(self, service):
        goal = self.get_object()
        with history_user(self.request.user):
            service(goal=goal)
        return Response(self.get_serializer(goal).data)


# ------------------------------------------------------------------------------ agreements


class AgreementViewSet(RowsViewSet):
    """Agreements with their services, requirements (derived from the services and the client's
    environment, or added by hand) and current term. Writing the services or the client syncs
    the derived requirements, as the agreement form does."""

    model = Agreement
    serializer_class = serializers.AgreementSerializer
    filterset_class = without_sort(AgreementFilter)
    prefetch = ("services", "requirements")


# ------------------------------------------------------------------------------ competitors


class CompetitorViewSet(RowsViewSet):
    model = Competitor
    serializer_class = serializers.CompetitorSerializer
    prefetch = ("offerings",)


# ------------------------------------------------------------------------------ the tokens page


class ApiTokensView(FormView):
    """Each user's personal API tokens: make one (shown once), see when each was last used,
    revoke one. A token acts as its user, without admin-only rights."""

    template_name = "api/tokens.html"
    form_class = ApiTokenForm
    session_key = "new_api_token"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tokens=ApiToken.objects.filter(user=self.request.user),
            # The new token, shown on the page the post redirects to, and only there.
            new_token=self.request.session.pop(self.session_key, None),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        revoke = request.POST.get("revoke")
        if revoke is not None:
            if api_token_revoke(user=request.user, token_key=revoke):
                messages.success(request, "The token is revoked: it no longer works.")
            else:
                messages.error(request, "That token was already revoked.")
            return redirect("api:tokens")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            _, secret = api_token_create(user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        self.request.session[self.session_key] = secret
        return redirect("api:tokens")
