"""The import page: consultants upload, preview and confirm; viewers may not; a bad file is
answered on the form; another user's import is not found."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.imports.models import ImportBatch
from clients.models import Client
from tests.agreements.imports.conftest import csv_bytes
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

FILE = csv_bytes(["Company,Seats", "Acme Dental,12", "Birch Law,4"])


def post_file(client, data=FILE, name="clients.csv", kind="clients"):
    return client.post(
        reverse("imports:start"),
        {"kind": kind, "date_order": "mdy", "file": SimpleUploadedFile(name, data)},
    )


def test_consultant_uploads_previews_and_confirms(catalog, consultant_client):
    response = post_file(consultant_client)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:batch", args=[batch.pk])

    page = consultant_client.get(reverse("imports:batch", args=[batch.pk]))
    assert page.status_code == 200
    assert page.content.decode().count('data-status="new"') == 2
    assert not Client.objects.exists()

    confirmed = consultant_client.post(
        reverse("imports:batch", args=[batch.pk]), {"action": "confirm"}
    )
    assert confirmed.status_code == 302
    assert set(Client.objects.values_list("name", flat=True)) == {"Acme Dental", "Birch Law"}
    again = consultant_client.post(
        reverse("imports:batch", args=[batch.pk]), {"action": "confirm"}, follow=True
    )
    assert "already imported" in again.content.decode()
    assert Client.objects.count() == 2


def test_a_bad_file_is_answered_on_the_form(catalog, consultant_client):
    response = post_file(consultant_client, data=b"%PDF-1.4 not a table", name="clients.csv")
    assert response.status_code == 200
    assert "it looks like a PDF document" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_viewers_may_not_import(catalog, viewer_client):
    assert viewer_client.get(reverse("imports:start")).status_code == 403
    assert post_file(viewer_client).status_code == 403
    assert not ImportBatch.objects.exists()


def test_another_users_import_is_not_found(catalog, consultant_client, django_user_model):
    other = make_user(django_user_model, "other.consultant", group="Consultant")
    batch = ImportBatch.objects.create(
        kind="clients", filename="x.csv", created_by=other, file="imports/x.csv"
    )
    assert consultant_client.get(reverse("imports:batch", args=[batch.pk])).status_code == 404
    status = consultant_client.get(reverse("imports:status", args=[batch.pk]))
    assert status.status_code == 404


def test_an_unknown_action_is_refused(catalog, consultant_client):
    post_file(consultant_client)
    batch = ImportBatch.objects.get()
    response = consultant_client.post(reverse("imports:batch", args=[batch.pk]), {"action": "x"})
    assert response.status_code == 400
    assert not Client.objects.exists()


def test_current_data_downloads_in_the_import_columns(catalog, consultant_client):
    Client.objects.create(name="=Evil Co", seats=3)
    response = consultant_client.get(reverse("imports:download"), {"kind": "clients"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffName,Status,Industry,Seats")
    assert "'=Evil Co,active,,3" in body
    unknown = consultant_client.get(reverse("imports:download"), {"kind": "nope"})
    assert unknown.status_code == 404


@pytest.mark.parametrize("rows", [1, 150])
def test_the_preview_page_reads_a_fixed_number_of_queries(
    catalog, consultant_client, django_assert_num_queries, rows
):
    lines = ["Name,Seats"] + [f"Client {number},{number}" for number in range(rows)]
    post_file(consultant_client, data=csv_bytes(lines))
    batch = ImportBatch.objects.get()
    # session, user, the user's and their groups' permissions, the batch (with its author)
    # inside the request's savepoint pair; the stored preview holds every row.
    with django_assert_num_queries(7):
        response = consultant_client.get(reverse("imports:batch", args=[batch.pk]))
    assert response.status_code == 200


def test_a_batch_whose_file_is_gone_says_so(catalog, consultant_client):
    from agreements.imports.services import import_batch_preview

    post_file(consultant_client)
    batch = ImportBatch.objects.get()
    batch.file.delete(save=False)
    batch = import_batch_preview(batch=batch)
    assert batch.state == ImportBatch.State.FAILED
    page = consultant_client.get(reverse("imports:batch", args=[batch.pk]))
    assert "no longer kept" in page.content.decode()
