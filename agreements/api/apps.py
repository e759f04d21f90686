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
