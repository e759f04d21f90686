"""A checked requirement keeps its agreement's yearly value as the check recorded it; the rows of
earlier checks take it from their CheckedAgreement."""

from decimal import Decimal

from django.db import migrations, models

FROM_CHECKED_AGREEMENTS = """
UPDATE agreements_checkedrequirement AS requirement
SET annual_value = agreement.annual_value
FROM agreements_checkedagreement AS agreement
WHERE agreement.coverage_check_id = requirement.coverage_check_id
  AND agreement.agreement_id = requirement.agreement_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0032_import_kinds_partner_programmes"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkedrequirement",
            name="annual_value",
            field=models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=12),
        ),
        migrations.RunSQL(FROM_CHECKED_AGREEMENTS, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="checkedrequirement",
            index=models.Index(
                fields=["coverage_check", "-annual_value"], name="checkedreq_check_value_idx"
            ),
        ),
    ]
