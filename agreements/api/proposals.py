"""Technicians' skill proposals in the API. A technician's token lists, creates (with an
evidence file, multipart) and withdraws their own; a skill approver's token lists every one and
approves or rejects it with a comment. Each write goes through skills/proposals/services.py,
as on the pages; what a proposal would change in coverage is on the approvers' queue page."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse

from agreements.api.nested_rows import TIMESTAMPS, PersonNameField, name_of
from core.filters import IdFilter
from skills.models import Certification, Level, Skill, SkillProposal, SkillVersion
from skills.proposals.selectors import own_technician, proposals_visible_to
from skills.proposals.services import (
    skill_proposal_approve,
    skill_proposal_create,
    skill_proposal_reject,
    skill_proposal_withdraw,
)


class SkillProposalFilter(django_filters.FilterSet):
    technician = IdFilter(field_name="technician_id", help_text="Only this technician's.")
    state = django_filters.ChoiceFilter(choices=SkillProposal.State.choices)

    class Meta:
        model = SkillProposal
        fields = ["technician", "state"]


class SkillProposalSerializer(serializers.ModelSerializer):
    technician_name = name_of(SkillProposal, "technician")
    skill_name = name_of(SkillProposal, "skill")
    certification_name = name_of(SkillProposal, "certification")
    proposed_by_name = PersonNameField("proposed_by")
    decided_by_name = PersonNameField("decided_by")
    change = serializers.CharField(source="change_text", read_only=True)
    evidence_url = serializers.SerializerMethodField(
        help_text="Where its technician, approvers and consultants download the evidence file "
        "(a web page, behind the login); null without one."
    )

    class Meta:
        model = SkillProposal
        fields = (
            "id",
            "technician",
            "technician_name",
            "kind",
            "change",
            "skill",
            "skill_name",
            "level",
            "oldest_version",
            "newest_version",
            "certification",
            "certification_name",
            "earned_on",
            "expires_on",
            "note",
            "evidence_name",
            "evidence_url",
            "state",
            "proposed_by_name",
            "decided_by_name",
            "decided_at",
            "comment",
            *TIMESTAMPS,
        )
        read_only_fields = fields

    def get_evidence_url(self, proposal) -> str | None:
        if not proposal.evidence:
            return None
        return reverse(
            "skills:proposal_evidence", args=[proposal.pk], request=self.context.get("request")
        )


class SkillProposalCreateSerializer(serializers.Serializer):
    """A skill at a level (with the versions supported) or a certification earned."""

    skill = serializers.PrimaryKeyRelatedField(queryset=Skill.objects.all(), required=False)
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    oldest_version = serializers.PrimaryKeyRelatedField(
        queryset=SkillVersion.objects.select_related("skill"), required=False, allow_null=True
    )
    newest_version = serializers.PrimaryKeyRelatedField(
        queryset=SkillVersion.objects.select_related("skill"), required=False, allow_null=True
    )
    certification = serializers.PrimaryKeyRelatedField(
        queryset=Certification.objects.all(), required=False
    )
    earned_on = serializers.DateField(required=False)
    expires_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    evidence = serializers.FileField(
        required=False,
        help_text="PDF, PNG or JPEG (read from its content), at most 5 MB; send the request as "
        "multipart/form-data.",
    )


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


@extend_schema_view(
    list=extend_schema(summary="Skill proposals: a technician's own, or every one to approvers"),
    retrieve=extend_schema(summary="A skill proposal"),
)
class SkillProposalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SkillProposalSerializer
    filterset_class = SkillProposalFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_value_regex = "[^/]+"
    permission_actions = {"withdraw": "change", "approve": "decide", "reject": "decide"}

    def get_queryset(self):
        return proposals_visible_to(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(
        summary="Propose a change to your own skills",
        description="For the technician the token's user logs in as; pending until a skill "
        "approver decides. A proposal that changes nothing, one on a skill or certification a "
        "PSA connection keeps, or a refused evidence file answers 400 with the reason.",
        request={
            "application/json": SkillProposalCreateSerializer,
            "multipart/form-data": SkillProposalCreateSerializer,
        },
        responses={201: SkillProposalSerializer},
    )
    def create(self, request, *args, **kwargs):
        technician = own_technician(request.user)
        if technician is None:
            raise NotFound("No technician is linked to your login: ask a consultant to link it.")
        incoming = SkillProposalCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        proposal = skill_proposal_create(
            technician=technician, proposed_by=request.user, **incoming.validated_data
        )
        proposal = self.get_queryset().get(pk=proposal.pk)
        return Response(self.get_serializer(proposal).data, status=201)

    @extend_schema(
        summary="Withdraw your own pending proposal",
        request=None,
        responses={200: SkillProposalSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        proposal = self.get_object()
        if proposal.technician.user_id != request.user.pk:
            raise NotFound("No such proposal of yours.")
        return Response(self.get_serializer(skill_proposal_withdraw(proposal=proposal)).data)

    @extend_schema(
        summary="Approve a pending proposal",
        description="Applies it to the technician's skills, with you as the history author. "
        "Your own proposal is refused (400).",
        request=DecisionSerializer,
        responses={200: SkillProposalSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, skill_proposal_approve)

    @extend_schema(
        summary="Reject a pending proposal",
        description="The technician's skills stay as they are; the comment is mailed to them.",
        request=DecisionSerializer,
        responses={200: SkillProposalSerializer},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, skill_proposal_reject)

    def _decide(self, request, decide):
        proposal = self.get_object()
        incoming = DecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        decided = decide(
            proposal=proposal,
            approver=request.user,
            comment=incoming.validated_data.get("comment", ""),
        )
        return Response(self.get_serializer(decided).data)
