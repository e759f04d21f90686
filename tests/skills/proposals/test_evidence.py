"""Evidence files: PDF, PNG or JPEG by their content, at most 5 MB, a plain name; kept outside
the web root and handed out, as a download, only to their technician, approvers and
consultants."""

import datetime
import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from agreements.coverage.schedule import coverage_schedule_setup
from config.celery import app
from skills.models import SkillProposal
from skills.proposals.services import orphan_evidence_delete, skill_proposal_create
from skills.tasks import delete_orphan_evidence
from tests.skills.factories import CertificationFactory
from tests.skills.proposals.conftest import PDF, png_bytes, upload

pytestmark = pytest.mark.django_db

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture
def azure():
    return CertificationFactory(name="Azure Administrator Associate")


def propose_certification(client, certification, evidence):
    return client.post(
        reverse("skills:proposal_certification_create"),
        {"certification": certification.pk, "earned_on": "2026-03-02", "evidence": evidence},
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("certificate.pdf", PDF, "application/pdf"), ("certificate.png", png_bytes(), "image/png")],
)
def test_a_pdf_or_a_png_is_kept_with_the_proposal(
    client, sam, azure, private_media, name, content, content_type
):
    user, technician = sam
    client.force_login(user)

    response = propose_certification(client, azure, upload(name, content, content_type))

    assert response.status_code == 302
    proposal = SkillProposal.objects.get(technician=technician)
    assert proposal.evidence_name == name
    stored = private_media / proposal.evidence.name
    assert stored.read_bytes() == content
    # Stored under a name of our own, its extension from the content.
    assert name not in proposal.evidence.name
    assert stored.suffix == "." + name.rsplit(".", 1)[1]


@pytest.mark.parametrize("content", [HTML, SVG], ids=["html renamed .pdf", "svg renamed .pdf"])
def test_a_file_that_is_not_a_pdf_inside_is_refused_whatever_its_name(
    client, sam, azure, private_media, content
):
    user, _ = sam
    client.force_login(user)

    response = propose_certification(client, azure, upload("certificate.pdf", content))

    assert response.status_code == 200
    assert "is not a PDF, PNG or JPEG file" in response.context["form"].errors["evidence"][0]
    assert not SkillProposal.objects.exists()
    assert not private_media.exists() or not any(private_media.rglob("*.*"))


def test_a_file_over_5_mb_is_refused(client, sam, azure, private_media):
    user, _ = sam
    client.force_login(user)
    big = PDF + b"0" * (6 * 1024 * 1024)

    response = propose_certification(client, azure, upload("certificate.pdf", big))

    assert response.status_code == 200
    message = response.context["form"].errors["evidence"][0].replace("\xa0", " ")
    assert message == "The file is 6.0 MB; evidence may be at most 5.0 MB."
    assert not SkillProposal.objects.exists()


@pytest.mark.parametrize("name", ["../../etc/certificate.pdf", "C:\\scans\\certificate.pdf"])
def test_a_name_with_a_path_is_refused(sam, azure, private_media, name):
    """Django's upload parser already cuts a path off a posted file's name; a file handed to
    the service by other means (an import, the API, a command) is refused."""
    user, technician = sam

    with pytest.raises(ValidationError) as refused:
        skill_proposal_create(
            technician=technician,
            proposed_by=user,
            certification=azure,
            earned_on=datetime.date(2026, 3, 2),
            evidence=File(io.BytesIO(PDF), name=name),
        )

    assert refused.value.message_dict["evidence"] == [
        "The file's name must be a plain name, without folders: rename it and try again."
    ]
    assert not SkillProposal.objects.exists()
    assert not private_media.exists() or not any(private_media.rglob("*.*"))


@pytest.fixture
def with_evidence(client, sam, azure):
    user, technician = sam
    client.force_login(user)
    propose_certification(client, azure, upload("my certificate.pdf", PDF))
    client.logout()
    return SkillProposal.objects.get(technician=technician)


@pytest.mark.parametrize("who", ["sam", "approver", "consultant"])
def test_the_evidence_is_served_as_a_download_to_its_technician_approvers_and_consultants(
    client, request, with_evidence, who
):
    user = request.getfixturevalue(who)
    client.force_login(user[0] if isinstance(user, tuple) else user)

    response = client.get(reverse("skills:proposal_evidence", args=[with_evidence.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="my certificate.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("who", ["lena", "viewer"])
def test_the_evidence_is_not_found_for_anyone_else(client, request, with_evidence, who):
    user = request.getfixturevalue(who)
    client.force_login(user[0] if isinstance(user, tuple) else user)

    response = client.get(reverse("skills:proposal_evidence", args=[with_evidence.pk]))

    assert response.status_code == 404


def test_evidence_files_are_not_under_the_web_root(settings, with_evidence, private_media):
    stored = private_media / with_evidence.evidence.name
    assert stored.is_file()
    assert not stored.is_relative_to(settings.MEDIA_ROOT)
    assert not stored.is_relative_to(settings.STATIC_ROOT)
    with pytest.raises(ValueError, match="no URL"):
        with_evidence.evidence.url  # noqa: B018


class RequestFailed(Exception):
    pass


def aged(path, days):
    moment = (timezone.now() - datetime.timedelta(days=days)).timestamp()
    os.utime(path, (moment, moment))


def test_a_file_left_by_a_request_that_rolled_back_is_removed_by_the_daily_cleanup(
    sam, azure, private_media, with_evidence
):
    _, technician = sam
    with pytest.raises(RequestFailed), transaction.atomic():
        skill_proposal_create(
            technician=technician,
            proposed_by=technician.user,
            certification=CertificationFactory(name="CompTIA Security+"),
            earned_on=datetime.date(2026, 3, 2),
            evidence=upload("security-plus.pdf", PDF),
        )
        raise RequestFailed
    kept = private_media / with_evidence.evidence.name
    (left,) = [path for path in private_media.rglob("*.pdf") if path != kept]
    young = left.with_name("still-uploading.pdf")
    young.write_bytes(PDF)
    aged(left, days=2)
    aged(kept, days=30)

    delete_orphan_evidence()

    assert not left.exists()
    assert young.exists()
    assert kept.read_bytes() == PDF


def test_the_evidence_cleanup_with_no_file_yet_deletes_nothing(private_media):
    assert orphan_evidence_delete() == []


def test_the_evidence_cleanup_is_scheduled_every_day():
    coverage_schedule_setup()

    entry = PeriodicTask.objects.get(task="skills.delete_orphan_evidence")
    assert (entry.interval.every, entry.interval.period) == (1, IntervalSchedule.DAYS)
    assert entry.task in app.tasks
