"""Reads shared by every app."""

from dataclasses import dataclass

from django.conf import settings

from core.models import CoverageSettings


@dataclass(frozen=True)
class CoverageDefaults:
    """The warning window and the default minimum technicians in force, and whether each was set
    on the Settings page (else it is the environment's)."""

    warning_days: int
    min_technicians: int
    warning_days_stored: bool
    min_technicians_stored: bool


def coverage_defaults() -> CoverageDefaults:
    """What the next coverage check uses: the stored values, the environment's where none is
    stored. One query."""
    stored = CoverageSettings.objects.filter(pk=CoverageSettings.SINGLETON_ID).first()
    warning_days = stored.warning_days if stored else None
    min_technicians = stored.min_technicians if stored else None
    return CoverageDefaults(
        warning_days=settings.COVERAGE_WARNING_DAYS if warning_days is None else warning_days,
        min_technicians=(
            settings.COVERAGE_MIN_TECHNICIANS if min_technicians is None else min_technicians
        ),
        warning_days_stored=warning_days is not None,
        min_technicians_stored=min_technicians is not None,
    )


def coverage_settings_stored() -> CoverageSettings:
    """The stored row, or an unsaved blank one (every value the environment's). One query."""
    return CoverageSettings.objects.filter(
        pk=CoverageSettings.SINGLETON_ID
    ).first() or CoverageSettings(pk=CoverageSettings.SINGLETON_ID)
