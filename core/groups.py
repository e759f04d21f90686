"""The groups of the design and their permissions.

The data migration creates them; tests that flush the database create them again the same way.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db.models import Q

CONSULTANT = "Consultant"
VIEWER = "Viewer"
REPORT_RECIPIENTS = "Coverage report recipients"
TECHNICIAN = "Technician"
SKILL_APPROVERS = "Skill approvers"

DOMAIN_APPS = ["skills", "clients", "agreements"]
ACTIONS = {
    CONSULTANT: ["view", "add", "change"],
    VIEWER: ["view"],
    REPORT_RECIPIENTS: [],
    TECHNICIAN: ["view"],
    SKILL_APPROVERS: ["view"],
}
# Permissions of their own, beyond a model's view, add and change: (app label, codename).
MANAGE_CATALOG = ("skills", "manage_catalog")
DECIDE_PROPOSALS = ("skills", "decide_skillproposal")
# A technician writes only their own proposals and time off: the views and services check the
# row's technician (skills/proposals/selectors.py, skills/team_time/selectors.py); these model
# permissions alone would let them reach everyone's.
OWN_ROWS = [
    ("skills", f"{action}_{model}")
    for model in ("skillproposal", "timeoff")
    for action in ("add", "change", "delete")
]
# Proposals are made by technicians for themselves (OWN_ROWS) and decided by approvers: the
# consultants' "add" and "change" of every model leave them out.
PROPOSAL_MODELS = {"skillproposal"}
OWN_PERMISSIONS = {
    CONSULTANT: [MANAGE_CATALOG],
    TECHNICIAN: OWN_ROWS,
    SKILL_APPROVERS: [DECIDE_PROPOSALS],
}


def ensure_groups(apps=global_apps):
    """Create or update the groups; `apps` is the migration's app registry inside a migration."""
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in ACTIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [
            f"{action}_{model._meta.model_name}"
            for app_label in DOMAIN_APPS
            for model in apps.get_app_config(app_label).get_models()
            for action in actions
            if action == "view" or model._meta.model_name not in PROPOSAL_MODELS
        ]
        own = Q()
        for app_label, codename in OWN_PERMISSIONS.get(name, []):
            own |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(
            Permission.objects.filter(
                Q(content_type__app_label__in=DOMAIN_APPS, codename__in=codenames) | own
            )
        )
