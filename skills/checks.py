"""Start-up checks of the settings the team's hours rest on."""

from django.conf import settings
from django.core import checks

from core.time_zones import half_hour_zone
from skills.weekly_patterns import parse_pattern


@checks.register(checks.Tags.compatibility)
def check_hours_settings(app_configs=None, **kwargs):
    errors = []
    patterns = {"DEFAULT_WORKING_HOURS": settings.DEFAULT_WORKING_HOURS}
    patterns.update(
        (f"SUPPORT_WINDOWS[{key!r}]", text) for key, text in settings.SUPPORT_WINDOWS.items()
    )
    for name, text in patterns.items():
        try:
            parse_pattern(text)
        except ValueError as error:
            errors.append(checks.Error(f"{name}: {error}", id="skills.E001"))
    missing = {"8x5", "12x5", "24x7"} - set(settings.SUPPORT_WINDOWS)
    if missing:
        errors.append(
            checks.Error(f"SUPPORT_WINDOWS lacks {', '.join(sorted(missing))}.", id="skills.E002")
        )
    if not half_hour_zone(settings.TIME_ZONE):
        errors.append(
            checks.Error(
                f"TIME_ZONE {settings.TIME_ZONE} is not an IANA zone on the half hour.",
                id="skills.E003",
            )
        )
    return errors
