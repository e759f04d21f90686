from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from agreements.forms import REQUIREMENT_FIELDS
from agreements.models import (
    Agreement,
    AgreementReferenceCounter,
    AgreementService,
    Requirement,
    Service,
)
from agreements.selectors import clients_with_annual_value
from agreements.services import (
    agreement_reference_next,
    agreement_service_remove,
    agreement_service_update,
    requirements_sync,
    service_skills_set,
)
from clients.admin import ClientAdmin
from clients.models import Client
from core.admin import PeopleByNameAdminMixin, ThroughServicesAdmin
from core.formatting import money, person_name

# ------------------------------------------------------------------------------ catalog


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "min_level", "is_active", "skills_list", "agreement_count"]
    list_filter = ["is_active", "min_level"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["skills_in_scope"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(agreement_count=Count("agreement_services"))
            .prefetch_related("skills_in_scope")
        )

    @admin.display(description="skills in scope")
    def skills_list(self, obj):
        return ", ".join(skill.name for skill in obj.skills_in_scope.all())

    @admin.display(description="agreements", ordering="agreement_count")
    def agreement_count(self, obj):
        return obj.agreement_count

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Also on a change of minimum level: the service re-syncs the agreements that include it.
        service_skills_set(service=form.instance, skills=form.cleaned_data["skills_in_scope"])


# ------------------------------------------------------------------------------ agreements


class AgreementServiceInline(admin.TabularInline):
    model = AgreementService
    autocomplete_fields = ["service"]
    extra = 1


class DerivedRequirementInline(admin.TabularInline):
    """Requirements the services and the client's environment imply: kept in sync, not edited."""

    model = Requirement
    verbose_name = "derived requirement"
    verbose_name_plural = "derived requirements (from the services and the client's environment)"
    fields = ["service", *REQUIREMENT_FIELDS[:-1]]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(source=Requirement.Source.DERIVED)
            .select_related("service", "skill", "version", "certification")
        )

    def has_add_permission(self, request, obj=None):
        return False


class ManualRequirementInline(admin.TabularInline):
    model = Requirement
    verbose_name = "manual requirement"
    verbose_name_plural = "manual requirements (e.g. the contract demands a CCNA holder)"
    fields = REQUIREMENT_FIELDS
    autocomplete_fields = ["skill", "version", "certification"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).filter(source=Requirement.Source.MANUAL)


@admin.register(Agreement)
class AgreementAdmin(PeopleByNameAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "reference",
        "title",
        "client",
        "status",
        "start_date",
        "end_date",
        "annual_value_display",
        "billing_cycle",
        "owner_name",
    ]
    list_filter = ["status", "billing_cycle", "support_hours", "auto_renew"]
    search_fields = ["reference", "title", "client__name"]
    autocomplete_fields = ["client", "owner"]
    list_select_related = ["client", "owner"]
    readonly_fields = ["reference", "term_start", "term_end", "notice_date"]
    date_hierarchy = "start_date"
    inlines = [AgreementServiceInline, DerivedRequirementInline, ManualRequirementInline]

    @admin.display(description="Owner", ordering="owner__last_name")
    def owner_name(self, agreement):
        return person_name(agreement.owner)

    @admin.display(description="annual value", ordering="annual_value")
    def annual_value_display(self, obj):
        return money(obj.annual_value)

    def save_model(self, request, obj, form, change):
        if not change:
            # The admin saves in a transaction, which keeps the year's counter row locked.
            obj.reference = agreement_reference_next()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        requirements_sync(agreement=form.instance)


@admin.register(AgreementService)
class AgreementServiceAdmin(ThroughServicesAdmin):
    list_display = ["agreement", "service", "client"]
    list_filter = ["service"]
    search_fields = ["agreement__reference", "agreement__title", "agreement__client__name"]
    autocomplete_fields = ["agreement", "service"]
    list_select_related = ["agreement__client", "service"]

    @admin.display(description="client", ordering="agreement__client__name")
    def client(self, obj):
        return obj.agreement.client

    def update(self, obj, changes):
        agreement_service_update(agreement_service=obj, **changes)

    def created(self, obj):
        requirements_sync(agreement=obj.agreement)

    def remove(self, obj):
        agreement_service_remove(agreement_service=obj)


@admin.register(AgreementReferenceCounter)
class AgreementReferenceCounterAdmin(admin.ModelAdmin):
    """Lets an admin continue an existing numbering, e.g. start 2026 at AGR-2026-0100."""

    list_display = ["year", "last_number"]
    search_fields = ["year"]

    def get_readonly_fields(self, request, obj=None):
        return ["year"] if obj else []


@admin.register(Requirement)
class RequirementAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "agreement",
        "client",
        "source",
        "service",
        "min_level",
        "min_technicians",
    ]
    list_filter = ["source", "min_level", "skill__category", "service"]
    search_fields = [
        "agreement__reference",
        "agreement__title",
        "agreement__client__name",
        "skill__name",
        "certification__name",
    ]
    autocomplete_fields = ["agreement", "skill", "version", "certification"]
    list_select_related = ["agreement__client", "skill", "version", "certification", "service"]
    fields = ["agreement", *REQUIREMENT_FIELDS, "source", "service"]

    @admin.display(description="client", ordering="agreement__client__name")
    def client(self, obj):
        return obj.agreement.client

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.source == Requirement.Source.DERIVED:
            return self.fields
        return ["source", "service"]

    def has_delete_permission(self, request, obj=None):
        derived = obj is not None and obj.source == Requirement.Source.DERIVED
        return not derived and super().has_delete_permission(request, obj)


# ------------------------------------------------------------------------------ clients


class ClientAgreementInline(admin.TabularInline):
    """The client's agreements, read-only: each is edited on its own page."""

    model = Agreement
    fields = ["agreement_link", "title", "status", "start_date", "end_date", "annual_value"]
    readonly_fields = ["agreement_link", "annual_value"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="reference")
    def agreement_link(self, obj):
        url = reverse("admin:agreements_agreement_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.reference)

    @admin.display(description="annual value")
    def annual_value(self, obj):
        return money(obj.annual_value)


admin.site.unregister(Client)


@admin.register(Client)
class ClientWithAgreementsAdmin(ClientAdmin):
    """clients/admin.py's ClientAdmin plus the client's agreements, which only this app knows."""

    list_display = [*ClientAdmin.list_display, "active_annual_value"]
    inlines = [*ClientAdmin.inlines, ClientAgreementInline]

    def get_queryset(self, request):
        # A subquery, not a join: the parent already joins technologies to count them.
        return clients_with_annual_value(super().get_queryset(request), day=timezone.localdate())

    @admin.display(description="active agreements per year", ordering="annual_value")
    def active_annual_value(self, obj):
        return money(obj.annual_value)
