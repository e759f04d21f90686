from django.contrib.auth.management import create_permissions
from django.db import migrations

DOMAIN_APPS = ["skills", "clients", "agreements"]
CONSULTANT_ACTIONS = ["view", "add", "change"]
VIEWER_ACTIONS = ["view"]


def domain_permissions(apps, actions):
    Permission = apps.get_model("auth", "Permission")
    codenames = [
        f"{action}_{model._meta.model_name}"
        for app_label in DOMAIN_APPS
        for model in apps.get_app_config(app_label).get_models()
        for action in actions
    ]
    return Permission.objects.filter(
        content_type__app_label__in=DOMAIN_APPS, codename__in=codenames
    )


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    consultant, _ = Group.objects.get_or_create(name="Consultant")
    consultant.permissions.set(domain_permissions(apps, CONSULTANT_ACTIONS))
    viewer, _ = Group.objects.get_or_create(name="Viewer")
    viewer.permissions.set(domain_permissions(apps, VIEWER_ACTIONS))
    Group.objects.get_or_create(name="Coverage report recipients")


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=["Consultant", "Viewer", "Coverage report recipients"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("skills", "0001_initial"),
        ("clients", "0001_initial"),
        ("agreements", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
