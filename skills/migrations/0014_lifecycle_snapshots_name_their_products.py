from django.db import migrations
from django.db.models import Q


def name_products(apps, schema_editor):
    """Snapshots loaded before recency was judged per product wrote every product that has a
    date or a successor: they are recorded as having written those."""
    LifecycleSnapshot = apps.get_model("skills", "LifecycleSnapshot")
    Skill = apps.get_model("skills", "Skill")
    dated = Skill.objects.filter(
        Q(versions__end_of_support__isnull=False) | Q(versions__successor__isnull=False)
    ).distinct()
    for snapshot in LifecycleSnapshot.objects.all():
        snapshot.skills.set(dated)


class Migration(migrations.Migration):
    dependencies = [("skills", "0013_lifecycle_per_product_and_unknown_end")]

    operations = [migrations.RunPython(name_products, migrations.RunPython.noop)]
