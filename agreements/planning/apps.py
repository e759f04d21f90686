from django.apps import AppConfig


class PlanningConfig(AppConfig):
    """ "What do we do about it?": competitors, gap analysis, plan of attack, what-if.

    An app without models of its own (they keep the agreements label), so that its admin, URLs
    and templates have a room of their own.
    """

    name = "agreements.planning"
    label = "planning"
    verbose_name = "Planning"
