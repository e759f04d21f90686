from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API (/api/v1/) and the webhooks: the same data and actions as the pages, with the
    same roles, through the same services. An app without models of its own (they keep the
    agreements label)."""

    name = "agreements.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        # The schema's description of the token scheme.
        from agreements.api import schema  # noqa: F401

        self.connect_webhooks()

    def connect_webhooks(self):
        """Coverage announces what changed; the webhooks are told of it."""
        from agreements.api import receivers
        from agreements.coverage import signals

        for signal, receiver in (
            (signals.check_finished, receivers.check_finished),
            (signals.flags_opened, receivers.flags_opened),
            (signals.flags_resolved, receivers.flags_resolved),
            (signals.reminder_due, receivers.reminder_due),
        ):
            signal.connect(receiver, dispatch_uid=f"webhooks-{receiver.__name__}")
