"""The imports in Django admin: the batches and presets; Add is the import page's upload."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from agreements.imports.models import ImportBatch, ImportMappingPreset
from agreements.imports.views import ImportStartView


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["filename", "kind", "state", "rows_total", "created_by", "created_at", "page"]
    list_filter = ["kind", "state"]
    search_fields = ["filename", "created_by__username"]
    list_select_related = ["created_by"]
    readonly_fields = [
        "kind",
        "file",
        "filename",
        "created_by",
        "state",
        "options",
        "rows_total",
        "rows_done",
        "message",
        "imported_at",
    ]
    exclude = ["preview"]

    def add_view(self, request, form_url="", extra_context=None):
        # The same upload as the import page; the preview and Confirm follow there.
        return ImportStartView.as_view()(request)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="preview")
    def page(self, obj):
        return format_html('<a href="{}">Open</a>', reverse("imports:batch", args=[obj.pk]))


@admin.register(ImportMappingPreset)
class ImportMappingPresetAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
