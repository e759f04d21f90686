from django.contrib import admin

from agreements.planning.models import Competitor, CompetitorOffering
from core.formatting import money


class CompetitorOfferingInline(admin.TabularInline):
    model = CompetitorOffering
    fields = ["service", "name", "price", "notes"]
    autocomplete_fields = ["service"]
    extra = 1


@admin.register(Competitor)
class CompetitorAdmin(admin.ModelAdmin):
    list_display = ["name", "website", "offerings_list"]
    search_fields = ["name", "notes"]
    inlines = [CompetitorOfferingInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("offerings__service")

    @admin.display(description="offerings")
    def offerings_list(self, obj):
        return ", ".join(offering.offering_name for offering in obj.offerings.all())


@admin.register(CompetitorOffering)
class CompetitorOfferingAdmin(admin.ModelAdmin):
    list_display = ["competitor", "offering_name", "service", "price_display"]
    list_filter = ["competitor", "service"]
    search_fields = ["competitor__name", "name", "service__name"]
    autocomplete_fields = ["competitor", "service"]
    list_select_related = ["competitor", "service"]

    @admin.display(description="offering")
    def offering_name(self, obj):
        return obj.offering_name

    @admin.display(description="price per month", ordering="price")
    def price_display(self, obj):
        return money(obj.price)
