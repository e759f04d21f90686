from django.contrib import admin
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from clients.models import Client, ClientAlias, ClientTechnology, Contact
from clients.services import (
    client_environment_changed,
    client_technology_remove,
    client_technology_update,
)
from core.admin import PeopleByNameAdminMixin, ThroughServicesAdmin
from core.formatting import person_name


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ["name", "role", "email", "phone", "is_primary"]
    extra = 1


class ClientTechnologyInline(admin.TabularInline):
    model = ClientTechnology
    fields = ["skill", "version", "quantity", "notes"]
    autocomplete_fields = ["skill", "version"]
    extra = 1
    verbose_name = "technology"
    verbose_name_plural = "environment (what runs on the client's LAN)"


@admin.register(Client)
class ClientAdmin(PeopleByNameAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "status",
        "industry",
        "seats",
        "account_manager_name",
        "technology_count",
    ]
    list_filter = ["status", "industry"]
    search_fields = ["name", "industry", "email", "contacts__name"]
    autocomplete_fields = ["account_manager"]
    list_select_related = ["account_manager"]
    # agreements/admin.py adds the client's agreements: clients does not know about them.
    inlines = [ContactInline, ClientTechnologyInline]

    @admin.display(description="Account manager", ordering="account_manager__last_name")
    def account_manager_name(self, client):
        return person_name(client.account_manager)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(technology_count=Count("technologies"))

    @admin.display(description="technologies", ordering="technology_count")
    def technology_count(self, obj):
        return obj.technology_count

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Once for the whole environment, and only when it changed (as clients/views.py does).
        if any(formset.model is ClientTechnology and formset.has_changed() for formset in formsets):
            client_environment_changed(client=form.instance)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "role", "email", "phone", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = ["name", "email", "role", "client__name"]
    autocomplete_fields = ["client"]
    list_select_related = ["client"]


@admin.register(ClientTechnology)
class ClientTechnologyAdmin(ThroughServicesAdmin):
    list_display = ["client", "skill", "version", "quantity", "end_of_support"]
    list_filter = ["skill__category", "skill"]
    search_fields = ["client__name", "skill__name", "version__label"]
    autocomplete_fields = ["client", "skill", "version"]
    list_select_related = ["client", "skill", "version"]

    @admin.display(description="end of support", ordering="version__end_of_support")
    def end_of_support(self, obj):
        return obj.version.end_of_support if obj.version else None

    def update(self, obj, changes):
        client_technology_update(technology=obj, **changes)

    def created(self, obj):
        client_environment_changed(client=obj.client)

    def remove(self, obj):
        client_technology_remove(technology=obj)


@admin.register(ClientAlias)
class ClientAliasAdmin(SimpleHistoryAdmin):
    list_display = ["name", "client"]
    search_fields = ["name", "client__name"]
    autocomplete_fields = ["client"]
    list_select_related = ["client"]
