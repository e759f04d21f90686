from django.db import migrations

from core.groups import ensure_groups


def permissions(apps, schema_editor):
    # Consultants keep the partner programmes and their rules; viewers read them.
    ensure_groups(apps)


class Migration(migrations.Migration):
    # After every app's models of this release, so that the groups get all their permissions.
    dependencies = [
        ("skills", "0014_partner_programmes"),
        ("agreements", "0029_checked_programmes"),
    ]

    operations = [migrations.RunPython(permissions, migrations.RunPython.noop)]
