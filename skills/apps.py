from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "skills"
    verbose_name = "Skills and technicians"

    def ready(self):
        from skills import checks  # noqa: F401  (registers the settings checks)
