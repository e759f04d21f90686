from django.apps import AppConfig


def sync_requirements_of_client(sender, *, client, **kwargs):
    """Receiver of clients.signals.environment_changed: the client's LAN changed."""
    from agreements.services import requirements_sync_for_client

    requirements_sync_for_client(client=client)


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = "Agreements and coverage"

    def ready(self):
        from agreements import selectors, views
        from clients.panels import client_detail_panels, client_list_columns
        from clients.signals import environment_changed
        from core.registry import Column, Panel

        environment_changed.connect(
            sync_requirements_of_client, dispatch_uid="agreements.sync_requirements_of_client"
        )
        client_detail_panels.register(
            Panel(
                key="agreements",
                template="agreements/_client_agreements.html",
                context=views.client_agreements_panel,
            )
        )
        client_detail_panels.register(
            Panel(
                key="requirements",
                template="agreements/_client_requirements.html",
                context=views.client_requirements_panel,
                order=110,
            )
        )
        # Amounts and counts of the client's agreements active today, right-aligned.
        for order, (key, label, annotate, template, sortable) in enumerate(
            (
                (
                    "active_agreements",
                    "Active agreements",
                    selectors.clients_with_active_agreements,
                    "agreements/_count_cell.html",
                    False,
                ),
                (
                    "annual_value",
                    "Annual value",
                    selectors.clients_with_annual_value,
                    "agreements/_money_cell.html",
                    True,
                ),
            )
        ):
            client_list_columns.register(
                Column(
                    key=key,
                    label=label,
                    annotate=annotate,
                    template=template,
                    sortable=sortable,
                    css_class="text-end",
                    order=order,
                )
            )
