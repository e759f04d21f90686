from django.contrib import admin

from agreements.coverage.models import (
    CoverageFlag,
    CoverageRun,
    Reminder,
    ReminderOptOut,
    ReportTestEmail,
)
from core.formatting import money


class OpenFlagFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(CoverageFlag)
class CoverageFlagAdmin(admin.ModelAdmin):
    """Written by the nightly run; an admin may only acknowledge a flag."""

    list_display = [
        "requirement_label",
        "agreement",
        "status",
        "risk_kind",
        "qualified_count",
        "lapses_on",
        "first_detected_at",
        "resolved_at",
        "acknowledged_by",
    ]
    list_filter = [OpenFlagFilter, "status", "risk_kind"]
    search_fields = ["requirement_label", "reason", "agreement__reference", "agreement__title"]
    autocomplete_fields = ["acknowledged_by"]
    list_select_related = ["agreement", "acknowledged_by"]
    date_hierarchy = "first_detected_at"
    readonly_fields = [
        "agreement",
        "requirement",
        "requirement_label",
        "status",
        "risk_kind",
        "reason",
        "qualified_count",
        "lapses_on",
        "first_detected_at",
        "last_seen_at",
        "resolved_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(CoverageRun)
class CoverageRunAdmin(admin.ModelAdmin):
    """One row per nightly run, written by the run itself: read-only."""

    list_display = [
        "run_date",
        "started_at",
        "finished_at",
        "coverage_check__agreements_count",
        "coverage_check__covered_count",
        "coverage_check__at_risk_count",
        "coverage_check__uncovered_count",
        "arr_at_risk_display",
        "arr_uncovered_display",
        "email_status",
        "sent_at",
    ]
    list_filter = ["email_status"]
    list_select_related = ["coverage_check"]
    search_fields = ["run_date", "last_error"]
    date_hierarchy = "run_date"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in CoverageRun._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="ARR at risk", ordering="coverage_check__arr_at_risk")
    def arr_at_risk_display(self, obj):
        return money(obj.coverage_check.arr_at_risk) if obj.coverage_check else ""

    @admin.display(description="ARR uncovered", ordering="coverage_check__arr_uncovered")
    def arr_uncovered_display(self, obj):
        return money(obj.coverage_check.arr_uncovered) if obj.coverage_check else ""


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Who was reminded of what, when, and whether it went out: written by the daily job."""

    list_display = ["deadline", "kind", "lead_days", "recipient", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status", "lead_days"]
    search_fields = ["recipient", "subject"]
    date_hierarchy = "deadline"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportTestEmail)
class ReportTestEmailAdmin(admin.ModelAdmin):
    """ "Send me a test email" of the report: who asked, for which check, whether it went out."""

    list_display = ["created_at", "recipient", "coverage_check", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["recipient"]
    list_select_related = ["coverage_check"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("coverage_check__report")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReminderOptOut)
class ReminderOptOutAdmin(admin.ModelAdmin):
    """Who asked not to receive which reminders (on their Notifications page)."""

    list_display = ["user", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__email"]
