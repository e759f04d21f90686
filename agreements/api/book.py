"""The contract book in the API: clients with their contacts and environment (what runs on
their LAN), services, agreements with their requirements and current term, and competitors with
their offerings. Each row reads and writes the fields of its form on the pages, through the apps'
save services (nested_rows.py), and reads along the names of the rows it refers to and, for
clients and agreements, their coverage in the newest check."""

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from rest_framework import serializers

from agreements.api.nested_rows import (
    TIMESTAMPS,
    ParentSerializer,
    PersonNameField,
    RowSerializer,
    RowsViewSet,
    name_of,
    names_of,
    without_sort,
)
from agreements.coverage.selectors import (
    CHECKED_COVERAGE_CHOICES,
    agreements_with_checked_coverage,
    clients_with_checked_coverage,
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

# ------------------------------------------------------------------------------ coverage


class CheckedCoverageField(serializers.ChoiceField):
    """The row's status in the newest check (`coverage`, annotated by the viewset)."""

    def __init__(self, *, help_text: str):
        super().__init__(
            choices=CHECKED_COVERAGE_CHOICES,
            source="coverage",
            read_only=True,
            allow_null=True,
            help_text=help_text,
        )

    def to_representation(self, value):
        # The selectors' "" (nothing to say, as an empty cell of the page) is null here.
        return value or None


CHECKED_AT_HELP = "When the newest check finished; null when it gave no status."


# ------------------------------------------------------------------------------ clients


class ContactSerializer(RowSerializer):
    class Meta:
        model = Contact
        fields = ("id", *ContactForm.Meta.fields)


class EnvironmentRowSerializer(RowSerializer):
    skill_name = name_of(ClientTechnology, "skill")
    version_label = name_of(ClientTechnology, "version", "label")

    class Meta:
        model = ClientTechnology
        fields = ("id", *ClientTechnologyForm.Meta.fields, "skill_name", "version_label")


class ClientSerializer(ParentSerializer):
    account_manager_name = PersonNameField("account_manager")
    coverage_status = CheckedCoverageField(
        help_text="The worst status the newest check recorded for the client's agreements (it "
        "records those active on its day); `not_checked` when it recorded none of them and the "
        "client has an agreement active today; null otherwise."
    )
    coverage_checked_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=CHECKED_AT_HELP
    )
    contacts = ContactSerializer(many=True, required=False)
    environment = EnvironmentRowSerializer(many=True, required=False, source="technologies")
    nested = ("contacts", "environment")

    class Meta:
        model = Client
        fields = (
            "id",
            *ClientForm.Meta.fields,
            "account_manager_name",
            "coverage_status",
            "coverage_checked_at",
            "contacts",
            "environment",
            *TIMESTAMPS,
        )
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
    select = ("account_manager",)
    prefetch = (
        "contacts",
        Prefetch("technologies", ClientTechnology.objects.select_related("skill", "version")),
    )

    def rows_annotate(self, queryset):
        return clients_with_checked_coverage(queryset, day=timezone.localdate())


# ------------------------------------------------------------------------------ services


class ServiceSerializer(serializers.ModelSerializer):
    skills_in_scope = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Skill.objects.all(), required=False
    )
    skills_in_scope_names = names_of("skills_in_scope")

    class Meta:
        model = Service
        fields = (
            "id",
            "name",
            "description",
            "skills_in_scope",
            "skills_in_scope_names",
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


class RequirementNames(serializers.Serializer):
    """The names of what a requirement asks for, beside their ids."""

    skill_name = name_of(Requirement, "skill")
    version_label = name_of(Requirement, "version", "label")
    certification_name = name_of(Requirement, "certification")


class RequirementSerializer(RequirementNames, serializers.ModelSerializer):
    service_name = name_of(Requirement, "service")

    class Meta:
        model = Requirement
        fields = (
            "id",
            "skill",
            "skill_name",
            "version",
            "version_label",
            "certification",
            "certification_name",
            "min_level",
            "min_technicians",
            "source",
            "service",
            "service_name",
            "notes",
        )
        read_only_fields = fields


MANUAL = Requirement.Source.MANUAL


class ManualRequirementSerializer(RequirementNames, RowSerializer):
    class Meta:
        model = Requirement
        fields = ("id", *REQUIREMENT_FIELDS, "skill_name", "version_label", "certification_name")


class AgreementSerializer(ParentSerializer):
    client_name = name_of(Agreement, "client")
    services = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Service.objects.all(), required=False
    )
    service_names = names_of("services")
    owner = serializers.PrimaryKeyRelatedField(
        queryset=active_users(), required=False, allow_null=True
    )
    owner_name = PersonNameField("owner")
    coverage_status = CheckedCoverageField(
        help_text="The agreement's status in the newest check; `not_checked` for one active "
        "today that the check did not see (created or activated since); null otherwise."
    )
    coverage_checked_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=CHECKED_AT_HELP
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
            "client_name",
            "owner_name",
            "services",
            "service_names",
            "coverage_status",
            "coverage_checked_at",
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
    select = ("client", "owner")
    prefetch = (
        "services",
        Prefetch(
            "requirements",
            Requirement.objects.select_related("skill", "version", "certification", "service"),
        ),
    )

    def rows_annotate(self, queryset):
        return agreements_with_checked_coverage(queryset, day=timezone.localdate())


# ------------------------------------------------------------------------------ competitors


class OfferingSerializer(RowSerializer):
    service_name = name_of(CompetitorOffering, "service")

    class Meta:
        model = CompetitorOffering
        fields = ("id", *OFFERING_FIELDS, "service_name")


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
    prefetch = (Prefetch("offerings", CompetitorOffering.objects.select_related("service")),)
