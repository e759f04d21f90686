from django.db import migrations

from core.groups import ensure_groups


def groups(apps, schema_editor):
    # Technicians read what consultants read and write their own proposals and time off; skill
    # approvers read and decide proposals; every group gets the permissions of all its models
    # (the partner programmes' too).
    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("skills", "0018_skill_proposals"),
        ("clients", "0006_client_time_zone"),
        ("agreements", "0032_import_kinds_partner_programmes"),
    ]

    operations = [migrations.RunPython(groups, migrations.RunPython.noop)]
