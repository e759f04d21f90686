from django.contrib import admin
from django.contrib.auth import get_user_model
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import ClockedSchedule, PeriodicTask, SolarSchedule

from core.forms import UserChoiceField
from core.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["worker", "seen_at"]
    readonly_fields = ["worker", "seen_at"]

    def has_add_permission(self, request):
        return False


class PeopleByNameAdminMixin:
    """A model admin whose choices of a user (an owner, an account manager) show full names,
    as the app's forms do; the site's autocomplete finds and lists them the same way."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is get_user_model():
            kwargs.setdefault("form_class", UserChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ThroughServicesAdmin(admin.ModelAdmin):
    """A model admin whose changes and deletions go through the app's services, so that what
    they keep in step (derived requirements, for one) follows edits made in the admin too.

    Subclasses supply `update(obj, changes)` and `remove(obj)`; `created(obj)` runs after a new
    row is saved.
    """

    def update(self, obj, changes: dict) -> None:
        raise NotImplementedError

    def remove(self, obj) -> None:
        raise NotImplementedError

    def created(self, obj) -> None:
        """Nothing by default."""

    def save_model(self, request, obj, form, change):
        if change:
            self.update(obj, {name: form.cleaned_data[name] for name in form.changed_data})
            return
        super().save_model(request, obj, form, change)
        self.created(obj)

    def delete_model(self, request, obj):
        self.remove(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.remove(obj)


# ------------------------------------------------------------------------------ scheduled jobs
# The jobs run daily at a time (a crontab) or every few minutes (an interval), as
# agreements/coverage/schedule.py writes them: solar and clocked schedules are not offered.
admin.site.unregister([ClockedSchedule, SolarSchedule, PeriodicTask])
NOT_OFFERED = {"solar", "clocked"}


@admin.register(PeriodicTask)
class ScheduledJobAdmin(PeriodicTaskAdmin):
    fieldsets = [
        (name, {**options, "fields": [f for f in options["fields"] if f not in NOT_OFFERED]})
        for name, options in PeriodicTaskAdmin.fieldsets
    ]
