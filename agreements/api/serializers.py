"""What the API reads and writes of each row: the fields of the row's form on the pages, with
nested lists replaced as those forms replace them (rows.py); writes go through the apps' save
services."""

from django.db import transaction
from rest_framework import serializers

from agreements.api.rows import ParentSerializer, RowSerializer
from agreements.forms import REQUIREMENT_FIELDS, AgreementForm
from agreements.models import Agreement, Requirement, Service
from agreements.planning.forms import OFFERING_FIELDS, CompetitorForm
from agreements.planning.models import Competitor, CompetitorOffering
from agreements.planning.services import competitor_save
from agreements.services import agreement_save, service_create, service_skills_set, service_update
from clients.forms import ClientForm, ClientTechnologyForm, ContactForm
from clients.models import Client, ClientTechnology, Contact
from clients.services import client_save
from core.forms import active_users
from core.services import NO_CHANGES as NO_ROWS
from core.services import model_create, model_update
from skills.forms import TechnicianCertificationForm, TechnicianForm, TechnicianSkillForm
from skills.models import (
    Certification,
    Level,
    Skill,
    SkillAlias,
    SkillCategory,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    TrainingGoal,
)
from skills.services import (
    skill_alias_create,
    technician_save,
    training_goal_create,
    training_goal_update,
)

TIMESTAMPS = ("created_at", "updated_at")


# ------------------------------------------------------------------------------ clients


class ContactSerializer(RowSerializer):
    class Meta:
        model = Contact
        fields = ("id", *ContactForm.Meta.fields)


class EnvironmentRowSerializer(RowSerializer):
    class Meta:
        model = ClientTechnology
        fields = ("id", *ClientTechnologyForm.Meta.fields)


class ClientSerializer(ParentSerializer):
    contacts = ContactSerializer(many=True, required=False)
    environment = EnvironmentRowSerializer(many=True, required=False, source="technologies")
    nested = ("contacts", "environment")

    class Meta:
        model = Client
        fields = ("id", *ClientForm.Meta.fields, "contacts", "environment", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS

    def save_rows(self, *, instance, fields, **changes):
        return client_save(
            client=instance,
            fields=fields,
            contacts=changes.get("contacts", NO_ROWS),
            environment=changes.get("technologies", NO_ROWS),
        )


class CatalogSerializer(serializers.ModelSerializer):
    """A row without nested lists, written as the apps' create and update services write."""

    def create(self, validated_data):
        return model_create(model=self.Meta.model, fields=validated_data)

    def update(self, instance, validated_data):
        return model_update(instance=instance, fields=validated_data)


# ------------------------------------------------------------------------------ catalog


class SkillCategorySerializer(CatalogSerializer):
    class Meta:
        model = SkillCategory
        fields = ("id", "name")


class SkillSerializer(CatalogSerializer):
    class Meta:
        model = Skill
        fields = ("id", "name", "category", "vendor", "description", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


class SkillVersionSerializer(CatalogSerializer):
    class Meta:
        model = SkillVersion
        fields = ("id", "skill", "label", "rank", "end_of_support")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None and "skill" in attrs and attrs["skill"] != self.instance.skill:
            raise serializers.ValidationError(
                {"skill": ["A version stays with its skill; add a version to the other skill."]}
            )
        return attrs


class SkillAliasSerializer(CatalogSerializer):
    class Meta:
        model = SkillAlias
        fields = ("id", "skill", "pattern", "version", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        return skill_alias_create(**validated_data)


class CertificationSerializer(CatalogSerializer):
    class Meta:
        model = Certification
        fields = ("id", "name", "issuer", "validity_months", "is_baseline", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


class ServiceSerializer(serializers.ModelSerializer):
    skills_in_scope = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Skill.objects.all(), required=False
    )

    class Meta:
        model = Service
        fields = (
            "id",
            "name",
            "description",
            "skills_in_scope",
            "min_level",
            "is_active",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        skills = validated_data.pop("skills_in_scope", ())
        return service_create(skills=skills, **validated_data)

    def update(self, instance, validated_data):
        skills = validated_data.pop("skills_in_scope", None)
        with transaction.atomic():
            service_update(service=instance, **validated_data)
            if skills is not None:
                service_skills_set(service=instance, skills=skills)
        return instance


# ------------------------------------------------------------------------------ technicians


class TechnicianSkillSerializer(RowSerializer):
    class Meta:
        model = TechnicianSkill
        fields = ("id", *TechnicianSkillForm.Meta.fields)


class TechnicianCertificationSerializer(RowSerializer):
    class Meta:
        model = TechnicianCertification
        fields = ("id", *TechnicianCertificationForm.Meta.fields)


class TechnicianSerializer(ParentSerializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=active_users(), required=False, allow_null=True
    )
    skills = TechnicianSkillSerializer(many=True, required=False)
    certifications = TechnicianCertificationSerializer(many=True, required=False)
    nested = ("skills", "certifications")

    class Meta:
        model = Technician
        fields = ("id", *TechnicianForm.Meta.fields, "skills", "certifications", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS

    def save_rows(self, *, instance, fields, **changes):
        return technician_save(
            technician=instance,
            fields=fields,
            skills=changes.get("skills", NO_ROWS),
            certifications=changes.get("certifications", NO_ROWS),
        )


class TrainingGoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingGoal
        fields = (
            "id",
            "technician",
            "skill",
            "target_level",
            "target_version",
            "certification",
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


# ------------------------------------------------------------------------------ agreements


class TermSerializer(serializers.Serializer):
    start = serializers.DateField(source="term_start")
    end = serializers.DateField(source="term_end", allow_null=True)
    notice_by = serializers.DateField(source="notice_date", allow_null=True)


class RequirementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Requirement
        fields = (
            "id",
            "skill",
            "version",
            "certification",
            "min_level",
            "min_technicians",
            "source",
            "service",
            "notes",
        )
        read_only_fields = fields


MANUAL = Requirement.Source.MANUAL


class ManualRequirementSerializer(RowSerializer):
    class Meta:
        model = Requirement
        fields = ("id", *REQUIREMENT_FIELDS)


class AgreementSerializer(ParentSerializer):
    services = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Service.objects.all(), required=False
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=active_users(), required=False, allow_null=True
    )
    current_term = TermSerializer(source="*", read_only=True)
    requirements = RequirementSerializer(many=True, read_only=True)
    manual_requirements = ManualRequirementSerializer(
        many=True, required=False, source="requirements"
    )
    nested = ("manual_requirements",)

    class Meta:
        model = Agreement
        fields = (
            "id",
            "reference",
            *AgreementForm.Meta.fields,
            "services",
            "current_term",
            "requirements",
            "manual_requirements",
            *TIMESTAMPS,
        )
        read_only_fields = ("reference", *TIMESTAMPS)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["manual_requirements"] = [
            ManualRequirementSerializer(row).data
            for row in instance.requirements.all()
            if row.source == MANUAL
        ]
        return data

    def existing_rows(self, instance, field):
        """Only the manual requirements are written here; derived ones follow the services."""
        return instance.requirements.filter(source=MANUAL)

    def save_rows(self, *, instance, fields, **changes):
        services = fields.pop("services", None)
        if services is None:
            services = (
                Service.objects.filter(agreement_services__agreement=instance) if instance else ()
            )
        return agreement_save(
            agreement=instance,
            fields=fields,
            services=services,
            requirements=changes.get("requirements", NO_ROWS),
        )


# ------------------------------------------------------------------------------ competitors


class OfferingSerializer(RowSerializer):
    class Meta:
        model = CompetitorOffering
        fields = ("id", *OFFERING_FIELDS)


class CompetitorSerializer(ParentSerializer):
    offerings = OfferingSerializer(many=True, required=False)
    nested = ("offerings",)

    class Meta:
        model = Competitor
        fields = ("id", *CompetitorForm.Meta.fields, "offerings", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS

    def save_rows(self, *, instance, fields, **changes):
        return competitor_save(
            competitor=instance, fields=fields, offerings=changes.get("offerings", NO_ROWS)
        )
