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
        self.watch_coverage_data()
        self.register_page_parts()
        self.register_health()

    def register_health(self):
        from django.conf import settings

        from agreements.coverage.models import CoverageRun
        from core.health import age_check, health_check_register

        def nightly_run():
            finished = CoverageRun.objects.filter(finished_at__isnull=False).order_by(
                "-finished_at"
            )
            return age_check(
                finished.values_list("finished_at", flat=True).first(),
                max_seconds=settings.HEALTH_NIGHTLY_MAX_AGE_SECONDS,
            )

        health_check_register("nightly_run", nightly_run)

    def watch_coverage_data(self):
        """Every write to what coverage depends on marks the newest check out of date."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from agreements.coverage.checks import coverage_data_touch
        from agreements.models import Agreement, AgreementService, Requirement, Service
        from clients.models import ClientTechnology
        from skills.models import (
            Certification,
            SkillVersion,
            Technician,
            TechnicianCertification,
            TechnicianSkill,
        )

        for model in (
            Agreement,
            AgreementService,
            Requirement,
            Service,
            ClientTechnology,
            Technician,
            TechnicianSkill,
            TechnicianCertification,
            Certification,
            SkillVersion,
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    coverage_data_touch,
                    sender=model,
                    dispatch_uid=f"coverage-data-{signal is post_save}-{model._meta.label}",
                )
        m2m_changed.connect(
            coverage_data_touch,
            sender=Service.skills_in_scope.through,
            dispatch_uid="coverage-data-service-scope",
        )

    def register_page_parts(self):
        from django_filters import ChoiceFilter

        from agreements.coverage import selectors, views
        from agreements.coverage.models import CoverageStatus
        from agreements.panels import (
            agreement_columns,
            agreement_detail_panels,
            agreement_form_panels,
            agreement_list_panels,
        )
        from clients.panels import client_detail_panels
        from core.registry import Column, Panel

        agreement_detail_panels.register(
            Panel(
                key="coverage",
                template="coverage/_agreement_coverage.html",
                summary_template="coverage/_agreement_coverage_badge.html",
                context=views.agreement_coverage_panel,
            )
        )
        agreement_form_panels.register(
            Panel(
                key="presale",
                template="coverage/_agreement_form_verdict.html",
                context=views.presale_form_panel,
            )
        )
        notice = Panel(
            key="coverage_notice",
            template="coverage/_check_notice.html",
            context=views.check_notice_panel,
            order=10,
        )
        agreement_list_panels.register(notice)
        client_detail_panels.register(notice)
        client_detail_panels.register(
            Panel(
                key="end_of_support",
                template="coverage/_client_end_of_support.html",
                context=views.client_end_of_support_panel,
                order=150,
            )
        )
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
                        *CoverageStatus.choices,
                        (selectors.NOT_CHECKED, "Not checked yet"),
                    ],
                    empty_label="Any coverage",
                ),
            )
        )
