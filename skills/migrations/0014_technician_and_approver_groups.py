from django.db import migrations

from core.groups import ensure_groups


def groups(apps, schema_editor):
    # Technicians read what consultants read and write their own proposals and time off; skill
    # approvers read and decide proposals.
    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("skills", "0013_skill_proposals"),
        ("clients", "0006_client_time_zone"),
        ("agreements", "0027_on_call_reminders_and_time_imports"),
    ]

    operations = [migrations.RunPython(groups, migrations.RunPython.noop)]
