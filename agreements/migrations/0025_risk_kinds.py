from decimal import Decimal

from django.db import migrations, models
from django.db.models import Count, Exists, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

RISK_KINDS = [("thin", "Thin"), ("lapsing", "Lapsing")]
RISK_KIND_HELP = (
    "Thin (too few qualify on the day) or lapsing (enough qualify, but coverage lapses inside "
    "the warning window) when at risk; blank otherwise."
)


def risk_kind_field():
    return models.CharField(
        blank=True, choices=RISK_KINDS, help_text=RISK_KIND_HELP, max_length=10
    )


def record_kinds_of_earlier_checks(apps, schema_editor):
    """Give the rows written before the kinds were recorded the kind they had: a requirement at
    risk is thin when fewer than its minimum qualified on the check's day (the engine then gives
    no lapse date, so a flag is thin exactly when it has none), an agreement at risk is thin when
    one of its requirements is, and a check counts its thin agreements from those rows. A check
    whose details were pruned keeps no figure for thin (unknown) unless it had nothing at risk."""
    CheckedRequirement = apps.get_model("agreements", "CheckedRequirement")
    CheckedAgreement = apps.get_model("agreements", "CheckedAgreement")
    CoverageFlag = apps.get_model("agreements", "CoverageFlag")
    CoverageCheck = apps.get_model("agreements", "CoverageCheck")

    at_risk = CheckedRequirement.objects.filter(status="at_risk")
    at_risk.filter(qualified_count__lt=F("min_technicians")).update(risk_kind="thin")
    at_risk.filter(qualified_count__gte=F("min_technicians")).update(risk_kind="lapsing")

    thin_requirement = CheckedRequirement.objects.filter(
        coverage_check=OuterRef("coverage_check"),
        agreement=OuterRef("agreement"),
        risk_kind="thin",
    )
    agreements_at_risk = CheckedAgreement.objects.filter(status="at_risk")
    agreements_at_risk.filter(Exists(thin_requirement)).update(risk_kind="thin")
    agreements_at_risk.filter(~Exists(thin_requirement)).update(risk_kind="lapsing")

    flags_at_risk = CoverageFlag.objects.filter(status="at_risk")
    flags_at_risk.filter(lapses_on__isnull=True).update(risk_kind="thin")
    flags_at_risk.filter(lapses_on__isnull=False).update(risk_kind="lapsing")

    thin_agreements = (
        CheckedAgreement.objects.filter(coverage_check=OuterRef("pk"), risk_kind="thin")
        .order_by()
        .values("coverage_check")
    )
    CoverageCheck.objects.filter(details_pruned_at__isnull=True).update(
        thin_count=Coalesce(
            Subquery(thin_agreements.annotate(count=Count("id")).values("count")), Value(0)
        ),
        arr_thin=Coalesce(
            Subquery(thin_agreements.annotate(total=Sum("annual_value")).values("total")),
            Value(Decimal("0")),
            output_field=models.DecimalField(max_digits=14, decimal_places=2),
        ),
    )
    CoverageCheck.objects.filter(at_risk_count=0).update(thin_count=0, arr_thin=Decimal("0"))


class Migration(migrations.Migration):

    dependencies = [
        ("agreements", "0024_report_test_emails_and_catalog_keepers"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkedagreement", name="risk_kind", field=risk_kind_field()
        ),
        migrations.AddField(
            model_name="checkedrequirement", name="risk_kind", field=risk_kind_field()
        ),
        migrations.AddField(
            model_name="coveragecheck",
            name="arr_thin",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="ARR of the at-risk agreements that are thin.",
                max_digits=14,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="coveragecheck",
            name="thin_count",
            field=models.PositiveIntegerField(
                blank=True, help_text="At-risk agreements that are thin.", null=True
            ),
        ),
        migrations.AddField(model_name="coverageflag", name="risk_kind", field=risk_kind_field()),
        migrations.RunPython(record_kinds_of_earlier_checks, migrations.RunPython.noop),
    ]
