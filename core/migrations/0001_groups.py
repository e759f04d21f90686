from django.db import migrations

from core.groups import ensure_groups


def create_groups(apps, schema_editor):
    ensure_groups(apps)


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
