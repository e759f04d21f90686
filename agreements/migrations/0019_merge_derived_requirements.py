from django.db import migrations
from django.db.models import Count
from django.utils import timezone

MERGED_REASON = (
    "Merged: the services of this agreement that need the same skill and version now share one "
    "requirement, at the highest of their minimum levels."
)


def merge_derived_duplicates(apps, schema_editor):
    """One derived requirement per (agreement, skill, version): in each group of duplicates the
    one with an open flag (else the lowest id) stays, at the group's highest minimum level and
    with the service that asks for it (the first by name on a tie); the others' open flags are
    resolved as merged and the others go. Manual requirements are untouched."""
    Requirement = apps.get_model("agreements", "Requirement")
    CoverageFlag = apps.get_model("agreements", "CoverageFlag")
    derived = Requirement.objects.filter(source="derived")
    groups = (
        derived.values("agreement_id", "skill_id", "version_id")
        .annotate(count=Count("id"))
        .filter(count__gt=1)
    )
    now = timezone.now()
    for group in groups:
        members = list(
            derived.filter(
                agreement_id=group["agreement_id"],
                skill_id=group["skill_id"],
                version_id=group["version_id"],
            )
            .select_related("service")
            .order_by("pk")
        )
        flagged = set(
            CoverageFlag.objects.filter(
                requirement__in=members, resolved_at__isnull=True
            ).values_list("requirement_id", flat=True)
        )
        keeper = next((r for r in members if r.pk in flagged), members[0])
        setter = min(members, key=lambda r: (-r.min_level, r.service.name, r.service_id))
        others = [r.pk for r in members if r.pk != keeper.pk]
        CoverageFlag.objects.filter(requirement_id__in=others, resolved_at__isnull=True).update(
            resolved_at=now, reason=MERGED_REASON
        )
        Requirement.objects.filter(pk__in=others).delete()
        keeper.min_level, keeper.service_id = setter.min_level, setter.service_id
        keeper.save(update_fields=["min_level", "service"])


class Migration(migrations.Migration):

    dependencies = [
        ("agreements", "0018_runs_read_their_checks"),
    ]

    operations = [
        migrations.RunPython(merge_derived_duplicates, migrations.RunPython.noop),
    ]
