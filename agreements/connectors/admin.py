"""The connections in Django admin. The credentials are write-only here too: the change form
has a password field per credential of the connection's kind, always blank, and a blank one
keeps what is saved; the saved values never reach the page."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from agreements.connectors.forms import SAVED_HELP
from agreements.connectors.models import Connection, ExternalRef, SyncRun


class ConnectionAdminForm(forms.ModelForm):
    class Meta:
        model = Connection
        fields = ["name", "base_url", "schedule_enabled", "schedule_time"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for key, label in self.instance.vendor.credential_fields:
                self.fields[f"credential_{key}"] = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.PasswordInput(render_value=False),
                    help_text=SAVED_HELP,
                )

    def save(self, commit=True):
        connection = super().save(commit=False)
        given = {
            name.removeprefix("credential_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("credential_") and value
        }
        if given:
            connection.credentials = {**connection.credentials, **given}
        if commit:
            connection.save()
        return connection


@admin.register(Connection)
class ConnectionAdmin(SimpleHistoryAdmin):
    form = ConnectionAdminForm
    list_display = ["name", "kind", "status", "last_synced_at", "schedule_enabled", "page"]
    list_filter = ["kind", "status"]
    search_fields = ["name"]
    history_list_display = ["name", "base_url", "status"]

    def get_fields(self, request, obj=None):
        return list(self.get_form(request, obj).base_fields) + [
            name for name in self.form(instance=obj).fields if name.startswith("credential_")
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = ConnectionAdminForm.Meta.fields
        return super().get_form(request, obj, change, **kwargs)

    def has_add_permission(self, request):
        # A connection is added on its page in the app, which asks for its kind's credentials.
        return False

    @admin.display(description="page")
    def page(self, obj):
        return format_html('<a href="{}">Open</a>', reverse("connectors:detail", args=[obj.pk]))


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["connection", "started_at", "trigger", "status", "progress"]
    list_filter = ["status", "trigger"]
    readonly_fields = [
        "connection",
        "trigger",
        "status",
        "started_at",
        "finished_at",
        "counts",
        "notes",
        "error",
        "progress",
        "started_by",
    ]
    exclude = ["names", "batches"]

    def has_add_permission(self, request):
        return False


@admin.register(ExternalRef)
class ExternalRefAdmin(admin.ModelAdmin):
    list_display = ["connection", "content_type", "object_id", "external_id", "synced_at"]
    list_filter = ["connection", "content_type"]
    search_fields = ["external_id"]
    readonly_fields = ["connection", "content_type", "object_id", "external_id", "fields"]

    def has_add_permission(self, request):
        return False
