"""The contract book in the API: clients with their contacts and environment (what runs on
their LAN), services, agreements with their requirements and current term, and competitors with
their offerings. Each row reads and writes the fields of its form on the pages, through the apps'
save services (nested_rows.py)."""

from django.db import transaction
from rest_framework import serializers

from agreements.api.nested_rows import (
    TIMESTAMPS,
    ParentSerializer,
    RowSerializer,
    RowsViewSet,
    without_sort,
)
from agreements.filters import AgreementFilter
from agreements.forms import REQUIREMENT_FIELDS, AgreementForm
from agreements.models import Agreement, Requirement, Service
from agreements.planning.forms import OFFERING_FIELDS, CompetitorForm
from agreements.planning.models import Competitor, CompetitorOffering
from agreements.planning.services import competitor_save
from agreements.services import agreement_save, service_create, service_skills_set, service_update
from clients.filters import ClientFilter
from clients.forms import ClientForm, ClientTechnologyForm, ContactForm
from clients.models import Client, ClientTechnology, Contact
from clients.services import client_save
from core.forms import active_users
from core.services import NO_CHANGES as NO_ROWS
from skills.models import Skill

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


class ClientViewSet(RowsViewSet):
    """Clients with their contacts and environment (what runs on their LAN)."""

    model = Client
    serializer_class = ClientSerializer
    filterset_class = without_sort(ClientFilter)
    prefetch = ("contacts", "technologies")


# ------------------------------------------------------------------------------ services


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


class ServiceViewSet(RowsViewSet):
    model = Service
    serializer_class = ServiceSerializer
    filterset_fields = ("is_active",)
    prefetch = ("skills_in_scope",)


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


class AgreementViewSet(RowsViewSet):
    """Agreements with their services, requirements (derived from the services and the client's
    environment, or added by hand) and current term. Writing the services or the client syncs
    the derived requirements, as the agreement form does."""

    model = Agreement
    serializer_class = AgreementSerializer
    filterset_class = without_sort(AgreementFilter)
    prefetch = ("services", "requirements")


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


class CompetitorViewSet(RowsViewSet):
    model = Competitor
    serializer_class = CompetitorSerializer
    prefetch = ("offerings",)
