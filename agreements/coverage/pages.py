"""What the agreement and client pages show besides their own fields, in one list.

Those pages may not import what they show (core/registry.py says why); this module may, and fills
their places when the coverage app is ready.
"""

from django_filters import ChoiceFilter

from agreements import selectors as book_selectors
from agreements import views as book_views
from agreements.coverage import selectors, views
from agreements.coverage.models import CoverageStatus, status_choices_with_kinds
from core.registry import (
    Column,
    Panel,
    agreement_columns,
    agreement_detail_panels,
    agreement_form_panels,
    agreement_list_panels,
    client_detail_panels,
    client_list_columns,
)


def page_parts_register():
    """Fill every place; registering again replaces an entry (ready() may run twice)."""
    coverage_notice = Panel(
        key="coverage_notice",
        template="coverage/_check_notice.html",
        context=views.check_notice_panel,
        order=10,
    )

    # The agreement page: its requirements' coverage, and its status under the title.
    agreement_detail_panels.register(
        Panel(
            key="coverage",
            template="coverage/_agreement_coverage.html",
            summary_template="coverage/_agreement_coverage_badge.html",
            context=views.agreement_coverage_panel,
        )
    )
    # Above a draft's form: its pre-sale verdict.
    agreement_form_panels.register(
        Panel(
            key="presale",
            template="coverage/_agreement_form_verdict.html",
            context=views.presale_form_panel,
        )
    )
    # The agreement list: how current its coverage is, and a coverage column with its filter,
    # also in the client page's list of agreements.
    agreement_list_panels.register(coverage_notice)
    agreement_columns.register(
        Column(
            key="coverage",
            label="Coverage",
            annotate=selectors.agreements_with_checked_coverage,
            template="coverage/_coverage_cell.html",
            filter=ChoiceFilter(
                method=selectors.agreements_of_coverage,
                label="Coverage",
                choices=[
                    *status_choices_with_kinds(CoverageStatus.choices),
                    (selectors.NOT_CHECKED, "Not checked yet"),
                ],
                empty_label="Any coverage",
            ),
        )
    )

    # The client page: how current coverage is, its agreements, what they ask of the team, and
    # its versions reaching end of support.
    client_detail_panels.register(coverage_notice)
    client_detail_panels.register(
        Panel(
            key="agreements",
            template="agreements/_client_agreements.html",
            context=book_views.client_agreements_panel,
        )
    )
    client_detail_panels.register(
        Panel(
            key="requirements",
            template="agreements/_client_requirements.html",
            context=book_views.client_requirements_panel,
            order=110,
        )
    )
    client_detail_panels.register(
        Panel(
            key="end_of_support",
            template="coverage/_client_end_of_support.html",
            context=views.client_end_of_support_panel,
            order=150,
        )
    )
    # The client list: amounts and counts of each client's agreements active today.
    client_list_columns.register(
        Column(
            key="active_agreements",
            label="Active agreements",
            annotate=book_selectors.clients_with_active_agreements,
            template="agreements/_count_cell.html",
            css_class="text-end",
            order=0,
        )
    )
    client_list_columns.register(
        Column(
            key="annual_value",
            label="Annual value",
            annotate=book_selectors.clients_with_annual_value,
            template="agreements/_money_cell.html",
            sortable=True,
            css_class="text-end",
            order=1,
        )
    )
