import os

import pytest
from django.db import connection


@pytest.mark.django_db
@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="DATABASE_URL is not set")
def test_database_url_selects_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


@pytest.mark.django_db
def test_data_migration_creates_the_three_groups():
    from django.contrib.auth.models import Group

    consultant = Group.objects.get(name="Consultant")
    viewer = Group.objects.get(name="Viewer")
    assert Group.objects.filter(name="Coverage report recipients").exists()
    consultant_codenames = set(consultant.permissions.values_list("codename", flat=True))
    viewer_codenames = set(viewer.permissions.values_list("codename", flat=True))
    assert {"view_agreement", "add_agreement", "change_agreement"} <= consultant_codenames
    assert not any(code.startswith("delete_") for code in consultant_codenames)
    assert viewer_codenames and all(code.startswith("view_") for code in viewer_codenames)
