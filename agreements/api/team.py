"""The team in the API: the catalog of skills (categories, versions, aliases) and
certifications, the technicians with their skills and certifications held, and the training
goals of the plan of attack. Each row reads and writes the fields of its form on the pages,
through the apps' services (nested_rows.py), and reads along the names of the rows it refers to."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from agreements.api.hours import WorkingWeekActions
from agreements.api.nested_rows import (
    TIMESTAMPS,
    ParentSerializer,
    PersonNameField,
    RowSerializer,
    RowsViewSet,
    name_of,
    without_sort,
)
from agreements.planning.services import training_goal_complete
from core.forms import active_users
from core.services import NO_CHANGES as NO_ROWS
from core.services import history_user, model_create, model_update
from skills.filters import SkillFilter, TechnicianFilter
from skills.forms import TechnicianCertificationForm, TechnicianForm, TechnicianSkillForm
from skills.models import (
    MAX_RULES,
    Certification,
    Level,
    PartnerProgram,
    PartnerRule,
    Skill,
    SkillAlias,
    SkillCategory,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    TrainingGoal,
)
from skills.partners.forms import PartnerProgramForm, PartnerRuleForm
from skills.partners.services import partner_program_save
from skills.services import (
    skill_alias_create,
    technician_save,
    training_goal_cancel,
    training_goal_create,
    training_goal_start,
    training_goal_update,
)

# ------------------------------------------------------------------------------ catalog


class CatalogSerializer(serializers.ModelSerializer):
    """A row without nested lists, written as the apps' create and update services write."""

    def create(self, validated_data):
        return model_create(model=self.Meta.model, fields=validated_data)

    def update(self, instance, validated_data):
        return model_update(instance=instance, fields=validated_data)


class SkillCategorySerializer(CatalogSerializer):
    class Meta:
        model = SkillCategory
        fields = ("id", "name")


class SkillSerializer(CatalogSerializer):
    category_name = name_of(Skill, "category")

    class Meta:
        model = Skill
        fields = ("id", "name", "category", "category_name", "vendor", "description", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


class SkillVersionSerializer(CatalogSerializer):
    skill_name = name_of(SkillVersion, "skill")

    class Meta:
        model = SkillVersion
        fields = ("id", "skill", "skill_name", "label", "rank", "end_of_support")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None and "skill" in attrs and attrs["skill"] != self.instance.skill:
            raise serializers.ValidationError(
                {"skill": ["A version stays with its skill; add a version to the other skill."]}
            )
        return attrs


class SkillAliasSerializer(CatalogSerializer):
    skill_name = name_of(SkillAlias, "skill")
    version_label = name_of(SkillAlias, "version", "label")

    class Meta:
        model = SkillAlias
        fields = ("id", "skill", "skill_name", "pattern", "version", "version_label", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        return skill_alias_create(**validated_data)


class CertificationSerializer(CatalogSerializer):
    class Meta:
        model = Certification
        fields = ("id", "name", "issuer", "validity_months", "is_baseline", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


class SkillCategoryViewSet(RowsViewSet):
    model = SkillCategory
    serializer_class = SkillCategorySerializer


class SkillViewSet(RowsViewSet):
    model = Skill
    serializer_class = SkillSerializer
    filterset_class = without_sort(SkillFilter)
    select = ("category",)


class SkillVersionViewSet(RowsViewSet):
    model = SkillVersion
    serializer_class = SkillVersionSerializer
    filterset_fields = ("skill",)
    select = ("skill",)


class SkillAliasViewSet(RowsViewSet):
    model = SkillAlias
    serializer_class = SkillAliasSerializer
    filterset_fields = ("skill",)
    select = ("skill", "version")


class CertificationViewSet(RowsViewSet):
    model = Certification
    serializer_class = CertificationSerializer
    filterset_fields = ("is_baseline",)


# ------------------------------------------------------------------------------ partner programmes


class PartnerRuleSerializer(RowSerializer):
    certification_name = name_of(PartnerRule, "certification")
    skill_name = name_of(PartnerRule, "skill")

    class Meta:
        model = PartnerRule
        fields = ("id", *PartnerRuleForm.Meta.fields, "certification_name", "skill_name")


class PartnerProgramSerializer(ParentSerializer):
    rules = PartnerRuleSerializer(many=True, required=False, max_length=MAX_RULES)
    nested = ("rules",)

    class Meta:
        model = PartnerProgram
        fields = ("id", *PartnerProgramForm.Meta.fields, "rules", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS

    def save_rows(self, *, instance, fields, **changes):
        return partner_program_save(
            program=instance, fields=fields, rules=changes.get("rules", NO_ROWS)
        )


class PartnerProgramViewSet(RowsViewSet):
    """The firm's vendor partner programmes with their rules (a certification, or a skill at a
    level, and the minimum number of technicians). Whether the team meets them is recorded by
    each check: /checks/{id}/partner-programmes/."""

    model = PartnerProgram
    serializer_class = PartnerProgramSerializer
    prefetch = (Prefetch("rules", PartnerRule.objects.select_related("certification", "skill")),)


# ------------------------------------------------------------------------------ technicians


class TechnicianSkillSerializer(RowSerializer):
    skill_name = name_of(TechnicianSkill, "skill")
    oldest_version_label = name_of(TechnicianSkill, "oldest_version", "label")
    newest_version_label = name_of(TechnicianSkill, "newest_version", "label")

    class Meta:
        model = TechnicianSkill
        fields = (
            "id",
            *TechnicianSkillForm.Meta.fields,
            "skill_name",
            "oldest_version_label",
            "newest_version_label",
            "assessed_on",
        )
        # Set by the services: a change through the API counts as assessed that day.
        read_only_fields = ("assessed_on",)


class TechnicianCertificationSerializer(RowSerializer):
    certification_name = name_of(TechnicianCertification, "certification")

    class Meta:
        model = TechnicianCertification
        fields = ("id", *TechnicianCertificationForm.Meta.fields, "certification_name")


class TechnicianSerializer(ParentSerializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=active_users(), required=False, allow_null=True
    )
    user_name = PersonNameField("user")
    skills = TechnicianSkillSerializer(many=True, required=False)
    certifications = TechnicianCertificationSerializer(many=True, required=False)
    nested = ("skills", "certifications")

    class Meta:
        model = Technician
        fields = (
            "id",
            *TechnicianForm.Meta.fields,
            "user_name",
            "skills",
            "certifications",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS

    def save_rows(self, *, instance, fields, **changes):
        return technician_save(
            technician=instance,
            fields=fields,
            skills=changes.get("skills", NO_ROWS),
            certifications=changes.get("certifications", NO_ROWS),
        )


class TechnicianViewSet(WorkingWeekActions, RowsViewSet):
    """Technicians with their skills (level and version range) and certifications held, and
    their working week."""

    model = Technician
    serializer_class = TechnicianSerializer
    filterset_class = without_sort(TechnicianFilter)
    select = ("user",)
    prefetch = (
        Prefetch(
            "skills",
            TechnicianSkill.objects.select_related("skill", "oldest_version", "newest_version"),
        ),
        Prefetch("certifications", TechnicianCertification.objects.select_related("certification")),
    )


# ------------------------------------------------------------------------------ training goals


class TrainingGoalSerializer(serializers.ModelSerializer):
    technician_name = name_of(TrainingGoal, "technician")
    skill_name = name_of(TrainingGoal, "skill")
    target_version_label = name_of(TrainingGoal, "target_version", "label")
    certification_name = name_of(TrainingGoal, "certification")

    class Meta:
        model = TrainingGoal
        fields = (
            "id",
            "technician",
            "technician_name",
            "skill",
            "skill_name",
            "target_level",
            "target_version",
            "target_version_label",
            "certification",
            "certification_name",
            "due_date",
            "status",
            "reason",
            "cost",
            "completed_on",
            *TIMESTAMPS,
        )
        read_only_fields = ("status", "completed_on", *TIMESTAMPS)

    def create(self, validated_data):
        return training_goal_create(**validated_data)

    def update(self, instance, validated_data):
        return training_goal_update(goal=instance, **validated_data)


class GoalCompletionSerializer(serializers.Serializer):
    """What a technician reached when a goal is done; the goal's targets unless told."""

    level = serializers.ChoiceField(choices=Level.choices, required=False)
    oldest_version = serializers.PrimaryKeyRelatedField(
        queryset=SkillVersion.objects.all(), required=False, allow_null=True
    )
    newest_version = serializers.PrimaryKeyRelatedField(
        queryset=SkillVersion.objects.all(), required=False, allow_null=True
    )
    earned_on = serializers.DateField(required=False)
    expires_on = serializers.DateField(required=False, allow_null=True)


class TrainingGoalViewSet(RowsViewSet):
    """The plan of attack's goals; start, cancel and complete move a goal on, as the page does."""

    model = TrainingGoal
    serializer_class = TrainingGoalSerializer
    filterset_fields = ("technician", "status", "skill", "certification")
    select = ("technician", "skill", "target_version", "certification")
    permission_actions = {"start": "change", "cancel": "change", "complete": "change"}

    @extend_schema(request=None, responses=TrainingGoalSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._moved(training_goal_start)

    @extend_schema(request=None, responses=TrainingGoalSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._moved(training_goal_cancel)

    @extend_schema(request=GoalCompletionSerializer, responses=TrainingGoalSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Done: what was learned is recorded on the technician (the goal's targets unless the
        body says otherwise) and a coverage check is queued."""
        completion = GoalCompletionSerializer(data=request.data)
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
