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


@pytest.mark.django_db
def test_rows_update_writes_each_objects_own_values_of_the_fields_named_only():
    import datetime

    from agreements.models import Agreement
    from core.db import rows_update
    from tests.agreements.factories import AgreementFactory
    from tests.clients.factories import ClientFactory

    first, second, untouched = AgreementFactory.create_batch(3, notes="as made")
    other_client = ClientFactory(name="Pinecrest Veterinary")
    first.title, first.end_date, first.notes = "Managed backup", datetime.date(2027, 6, 30), "x"
    second.title, second.client, second.notes = "Managed email", other_client, "y"

    assert rows_update([first, second], ["title", "end_date", "client"]) == 2
    assert rows_update([], ["title"]) == 0

    rows = Agreement.objects.in_bulk([first.pk, second.pk, untouched.pk])
    assert (rows[first.pk].title, rows[first.pk].end_date) == (
        "Managed backup",
        datetime.date(2027, 6, 30),
    )
    assert (rows[second.pk].title, rows[second.pk].client_id) == ("Managed email", other_client.pk)
    assert {row.notes for row in rows.values()} == {"as made"}  # fields not named are kept
    assert rows[untouched.pk].title == untouched.title
