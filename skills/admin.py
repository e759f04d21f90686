from django.contrib import admin
from django.db.models import Count
from simple_history.admin import SimpleHistoryAdmin

from core.formatting import money
from skills import models


@admin.register(models.SkillCategory)
class SkillCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "skill_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(skill_count=Count("skills"))

    @admin.display(description="skills", ordering="skill_count")
    def skill_count(self, obj):
        return obj.skill_count


class SkillVersionInline(admin.TabularInline):
    model = models.SkillVersion
    fk_name = "skill"
    fields = ["label", "rank", "end_of_support", "end_of_support_unknown", "successor"]
    autocomplete_fields = ["successor"]
    extra = 1


@admin.register(models.Skill)
class SkillAdmin(SimpleHistoryAdmin):
    list_display = ["name", "category", "vendor", "versions_list"]
    list_filter = ["category", "vendor"]
    search_fields = ["name", "vendor", "category__name"]
    autocomplete_fields = ["category"]
    list_select_related = ["category"]
    inlines = [SkillVersionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    @admin.display(description="versions")
    def versions_list(self, obj):
        return ", ".join(version.label for version in obj.versions.all())


@admin.register(models.SkillVersion)
class SkillVersionAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "skill",
        "label",
        "rank",
        "end_of_support",
        "end_of_support_unknown",
        "successor",
    ]
    list_filter = ["skill__category", "skill"]
    search_fields = ["skill__name", "label"]
    autocomplete_fields = ["skill", "successor"]
    list_select_related = ["skill", "successor__skill"]
    ordering = ["skill__name", "-rank"]


@admin.register(models.LifecycleSnapshot)
class LifecycleSnapshotAdmin(admin.ModelAdmin):
    """What lifecycle data was loaded, read-only: `manage.py load_catalog --lifecycle` loads."""

    list_display = ["taken_on", "source", "loaded_at", "versions_updated"]
    readonly_fields = ["source", "taken_on", "loaded_at", "versions_updated", "skills"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.LifecycleRefresh)
class LifecycleRefreshAdmin(admin.ModelAdmin):
    """Each scheduled refresh from LIFECYCLE_URL, read-only: what it fetched and what it did."""

    list_display = ["loaded_at", "source", "result", "taken_on", "versions_updated"]
    list_filter = ["result"]
    readonly_fields = [
        "source",
        "taken_on",
        "loaded_at",
        "result",
        "products_loaded",
        "products_unchanged",
        "versions_updated",
        "snapshot",
        "message",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TechnicianSkillInline(admin.TabularInline):
    model = models.TechnicianSkill
    fields = ["skill", "level", "oldest_version", "newest_version", "last_used"]
    autocomplete_fields = ["skill", "oldest_version", "newest_version"]
    extra = 1


class TechnicianCertificationInline(admin.TabularInline):
    model = models.TechnicianCertification
    fields = ["certification", "earned_on", "expires_on", "credential_id"]
    autocomplete_fields = ["certification"]
    extra = 1


class WorkingHoursInline(admin.TabularInline):
    model = models.WorkingHours
    fields = ["weekday", "start", "end"]
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = models.TimeOff
    fields = ["first_day", "last_day", "kind", "note"]
    extra = 0


@admin.register(models.Technician)
class TechnicianAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "status", "available_until", "time_zone", "user"]
    list_filter = ["status", "time_zone"]
    search_fields = ["name", "email"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    inlines = [
        TechnicianSkillInline,
        TechnicianCertificationInline,
        WorkingHoursInline,
        TimeOffInline,
    ]


@admin.register(models.TechnicianSkill)
class TechnicianSkillAdmin(SimpleHistoryAdmin):
    list_display = ["technician", "skill", "level", "version_range", "last_used", "assessed_on"]
    list_filter = ["level", "skill__category", "technician__status", "skill"]
    search_fields = ["technician__name", "skill__name"]
    autocomplete_fields = ["technician", "skill", "oldest_version", "newest_version"]
    list_select_related = ["technician", "skill", "oldest_version", "newest_version"]

    @admin.display(description="versions")
    def version_range(self, obj):
        return obj.version_range


@admin.register(models.Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer", "validity_months", "is_baseline", "holder_count"]
    list_filter = ["is_baseline", "issuer"]
    search_fields = ["name", "issuer"]
    autocomplete_fields = ["skills"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(holder_count=Count("holders"))

    @admin.display(description="holders", ordering="holder_count")
    def holder_count(self, obj):
        return obj.holder_count


@admin.register(models.TechnicianCertification)
class TechnicianCertificationAdmin(SimpleHistoryAdmin):
    list_display = ["technician", "certification", "earned_on", "expires_on", "credential_id"]
    list_filter = ["certification__is_baseline", "certification", "technician__status"]
    search_fields = ["technician__name", "certification__name", "credential_id"]
    autocomplete_fields = ["technician", "certification"]
    list_select_related = ["technician", "certification"]
    date_hierarchy = "expires_on"


@admin.register(models.TrainingGoal)
class TrainingGoalAdmin(admin.ModelAdmin):
    list_display = [
        "technician",
        "skill",
        "target_level",
        "certification",
        "due_date",
        "status",
        "cost_display",
    ]
    list_filter = ["status", "skill__category"]
    search_fields = ["technician__name", "skill__name", "certification__name", "reason"]
    autocomplete_fields = ["technician", "skill", "target_version", "certification"]
    list_select_related = ["technician", "skill", "certification"]
    date_hierarchy = "due_date"

    @admin.display(description="cost", ordering="cost")
    def cost_display(self, obj):
        return money(obj.cost)


@admin.register(models.SkillAlias)
class SkillAliasAdmin(SimpleHistoryAdmin):
    list_display = ["pattern", "skill", "version"]
    list_filter = ["skill__category"]
    search_fields = ["pattern", "skill__name"]
    autocomplete_fields = ["skill", "version"]
    list_select_related = ["skill", "version"]


@admin.register(models.WorkingHours)
class WorkingHoursAdmin(SimpleHistoryAdmin):
    list_display = ["technician", "weekday", "start", "end"]
    list_filter = ["weekday"]
    search_fields = ["technician__name"]
    autocomplete_fields = ["technician"]
    list_select_related = ["technician"]


@admin.register(models.TimeOff)
class TimeOffAdmin(SimpleHistoryAdmin):
    list_display = ["technician", "first_day", "last_day", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "first_day"
    search_fields = ["technician__name", "note"]
    autocomplete_fields = ["technician"]
    list_select_related = ["technician"]


class OnCallMemberInline(admin.TabularInline):
    model = models.OnCallMember
    fields = ["position", "technician"]
    autocomplete_fields = ["technician"]
    extra = 0


class OnCallRotaHoursInline(admin.TabularInline):
    model = models.OnCallRotaHours
    fields = ["weekday", "start", "end"]
    extra = 0


@admin.register(models.OnCallRota)
class OnCallRotaAdmin(SimpleHistoryAdmin):
    list_display = ["name", "time_zone", "starts_at", "rotation_days"]
    search_fields = ["name"]
    inlines = [OnCallMemberInline, OnCallRotaHoursInline]


@admin.register(models.OnCallMember)
class OnCallMemberAdmin(SimpleHistoryAdmin):
    list_display = ["rota", "position", "technician"]
    list_filter = ["rota"]
    autocomplete_fields = ["technician"]
    list_select_related = ["rota", "technician"]


@admin.register(models.OnCallRotaHours)
class OnCallRotaHoursAdmin(SimpleHistoryAdmin):
    list_display = ["rota", "weekday", "start", "end"]
    list_filter = ["rota"]
    list_select_related = ["rota"]


@admin.register(models.OnCallOverride)
class OnCallOverrideAdmin(SimpleHistoryAdmin):
    list_display = ["rota", "technician", "starts_at", "ends_at", "note"]
    list_filter = ["rota"]
    search_fields = ["technician__name", "note"]
    autocomplete_fields = ["technician"]
    list_select_related = ["rota", "technician"]


@admin.register(models.SkillProposal)
class SkillProposalAdmin(SimpleHistoryAdmin):
    """Proposals are made on My skills and decided on the approvals queue, which apply them
    through the services; here they are read (a decision made here would skip both)."""

    list_display = ["technician", "kind", "change_text", "state", "created_at", "decided_by"]
    list_filter = ["state", "kind"]
    search_fields = ["technician__name", "skill__name", "certification__name"]
    list_select_related = ["technician", "skill", "certification", "decided_by"]
    readonly_fields = [field.name for field in models.SkillProposal._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PartnerRuleInline(admin.TabularInline):
    model = models.PartnerRule
    fields = ["certification", "skill", "min_level", "min_technicians"]
    autocomplete_fields = ["certification", "skill"]
    extra = 0
    max_num = models.MAX_RULES


@admin.register(models.PartnerProgram)
class PartnerProgramAdmin(SimpleHistoryAdmin):
    list_display = ["vendor", "tier", "renewal_date", "benefit"]
    list_filter = ["vendor"]
    search_fields = ["vendor", "tier"]
    inlines = [PartnerRuleInline]

    @admin.display(description="yearly benefit", ordering="yearly_benefit")
    def benefit(self, obj):
        return money(obj.yearly_benefit)


@admin.register(models.PartnerRule)
class PartnerRuleAdmin(SimpleHistoryAdmin):
    list_display = ["program", "certification", "skill", "min_level", "min_technicians"]
    list_filter = ["program"]
    autocomplete_fields = ["program", "certification", "skill"]
    list_select_related = ["program", "certification", "skill"]
