from django.db import migrations

from core.groups import ensure_groups


def permissions(apps, schema_editor):
    # Consultants keep the team's time (working hours, time off, rotas and their overrides);
    # viewers read it, as the other rows.
    ensure_groups(apps)


class Migration(migrations.Migration):
    # After every app's models of this release, so that the groups get all their permissions.
    dependencies = [
        ("skills", "0011_team_time"),
        ("clients", "0006_client_time_zone"),
        ("agreements", "0025_risk_kinds"),
    ]

    operations = [migrations.RunPython(permissions, migrations.RunPython.noop)]
