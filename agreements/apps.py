from django.apps import AppConfig


def sync_requirements_of_client(sender, *, client, **kwargs):
    """Receiver of clients.signals.environment_changed: the client's LAN changed."""
    from agreements.services import requirements_sync_for_client

    requirements_sync_for_client(client=client)


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements and coverage"

    def ready(self):
        from clients.signals import environment_changed

        environment_changed.connect(
            sync_requirements_of_client, dispatch_uid="agreements.sync_requirements_of_client"
        )
