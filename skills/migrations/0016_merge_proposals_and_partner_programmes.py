from django.db import migrations

from core.groups import ensure_groups


def groups(apps, schema_editor):
    # Both lines of this release are in: every group gets the permissions of all their models
    # (the technicians and approvers read partner programmes too).
    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("skills", "0014_technician_and_approver_groups"),
        ("skills", "0015_partner_programme_permissions"),
        ("agreements", "0029_checked_programmes"),
    ]

    operations = [migrations.RunPython(groups, migrations.RunPython.noop)]
