from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from agreements.api.models import Webhook, WebhookDelivery, WebhookEvent
from agreements.api.services import webhook_delivery_replay, webhook_delivery_resend, webhook_save
from agreements.api.tasks import deliveries_queue
from core.formatting import count_text


class WebhookForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The events it is told of.",
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "events", "payload_format", "secret", "is_active"]
        widgets = {
            "url": forms.URLInput(attrs={"size": 80}),
            "secret": forms.TextInput(attrs={"size": 50}),
        }


@admin.register(Webhook)
class WebhookAdmin(SimpleHistoryAdmin):
    """URLs told of coverage's changes. The secret is shown so that the receiver can be given
    it; a blank one is generated on save."""

    form = WebhookForm
    list_display = ["name", "url", "events_display", "payload_format", "is_active", "updated_at"]
    list_filter = ["is_active", "payload_format"]
    search_fields = ["name", "url"]
    readonly_fields = ["deliveries_link", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        webhook_save(webhook=obj)

    @admin.display(description="Events")
    def events_display(self, obj):
        labels = dict(WebhookEvent.choices)
        return ", ".join(labels.get(event, event) for event in obj.events)

    @admin.display(description="Deliveries")
    def deliveries_link(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:agreements_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?webhook__id__exact={}">{}</a>',
            url,
            obj.pk,
            count_text(obj.deliveries.count(), "delivery", "deliveries"),
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Every event sent to a webhook and how it went, written by the deliveries: read-only.
    Replay sends one again as a new delivery; Resend gives a failed one new attempts."""

    list_display = [
        "created_at",
        "webhook",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_response_ms",
        "last_attempt_at",
        "next_attempt_at",
    ]
    list_filter = ["status", "event", "webhook"]
    list_select_related = ["webhook"]
    search_fields = ["event_key", "last_error", "webhook__name"]
    date_hierarchy = "created_at"
    actions = ["replay", "resend"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_replay_permission(self, request):
        """Whoever may change the webhooks may send their deliveries again."""
        return request.user.has_perm("agreements.change_webhook")

    @admin.action(description="Replay: send again as a new delivery", permissions=["replay"])
    def replay(self, request, queryset):
        replays = [
            webhook_delivery_replay(delivery=delivery)
            for delivery in queryset.select_related("webhook")
        ]
        deliveries_queue([replay.pk for replay in replays])
        self.message_user(
            request, f"Queued {count_text(len(replays), 'replay')}.", messages.SUCCESS
        )

    @admin.action(description="Resend: new attempts for failed deliveries", permissions=["replay"])
    def resend(self, request, queryset):
        resent = [
            delivery.pk for delivery in queryset if webhook_delivery_resend(delivery=delivery)
        ]
        deliveries_queue(resent)
        skipped = queryset.count() - len(resent)
        message = f"Queued {count_text(len(resent), 'failed delivery', 'failed deliveries')} again."
        if skipped:
            message += (
                f" {count_text(skipped, 'delivery', 'deliveries')} had not failed: use Replay."
            )
        self.message_user(request, message, messages.SUCCESS if resent else messages.WARNING)
