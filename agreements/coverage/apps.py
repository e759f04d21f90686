from django.apps import AppConfig


class CoverageConfig(AppConfig):
    """ "Can we deliver?": the engine, flags, the nightly run and its report, the coverage pages.

    Its models (models.py) keep the agreements label. It fills the places of the agreement and
    client pages (core/registry.py) with pages.py.
    """

    name = "agreements.coverage"
    label = "coverage"
    verbose_name = "Coverage"

    def ready(self):
        from agreements.coverage.pages import page_parts_register

        self.watch_coverage_data()
        page_parts_register()
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
        from core.models import CoverageSettings
        from skills.models import (
            Certification,
            PartnerProgram,
            PartnerRule,
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
            CoverageSettings,
            # The checks record the partner programmes too (coverage/programmes.py).
            PartnerProgram,
            PartnerRule,
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
