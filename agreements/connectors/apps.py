from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    """Live data from the PSA and the RMM: connections, their syncs through the import's preview
    and write, and which objects each keeps. Its models keep the agreements label."""

    name = "agreements.connectors"
    label = "connectors"
    verbose_name = "Connections to the PSA and the RMM"

    def ready(self):
        from agreements.connectors.selectors import keeper_of
        from core import ownership

        ownership.register("agreements.connectors", keeper_of)
