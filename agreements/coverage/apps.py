from django.apps import AppConfig


class CoverageConfig(AppConfig):
    """ "Can we deliver?": the engine, flags, the nightly run and its report, the coverage pages.

    An app without models of its own (they keep the agreements label). It adds its columns and
    panels to the agreement and client pages through agreements/panels.py, which knows nothing
    of coverage.
    """

    name = "agreements.coverage"
    label = "coverage"
    verbose_name = "Coverage"

    def ready(self):
        from django_filters import ChoiceFilter

        from agreements.coverage import selectors, views
        from agreements.models import CoverageStatus
        from agreements.panels import (
            agreement_detail_panels,
            agreement_list_columns,
            client_agreement_columns,
        )
        from core.registry import Column, Panel

        agreement_detail_panels.register(
            Panel(
                key="coverage",
                template="coverage/_agreement_coverage.html",
                summary_template="coverage/_agreement_coverage_badge.html",
                context=views.agreement_coverage_panel,
            )
        )
        # The same column twice: on the agreement list it can be filtered on.
        by_status = ChoiceFilter(
            field_name="coverage",
            label="Coverage",
            choices=CoverageStatus.choices,
            empty_label="Any coverage",
        )
        for registry, annotate, template, column_filter in (
            (
                agreement_list_columns,
                selectors.agreements_with_live_coverage,
                "coverage/_coverage_cell.html",
                by_status,
            ),
            (
                client_agreement_columns,
                selectors.agreements_with_flagged_coverage,
                "coverage/_client_coverage_cell.html",
                None,
            ),
        ):
            registry.register(
                Column(
                    key="coverage",
                    label="Coverage",
                    annotate=annotate,
                    template=template,
                    filter=column_filter,
                )
            )
