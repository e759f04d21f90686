import pytest
from django.urls import reverse

from agreements.coverage.models import CoverageRun

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url_name", ["coverage:dashboard", "agreements:list", "clients:list", "planning:gap_analysis"]
)
def test_viewer_gets_403_for_a_post_to_a_read_only_page(viewer_client, url_name):
    assert viewer_client.post(reverse(url_name)).status_code == 403


def test_viewer_cannot_queue_a_coverage_check(viewer_client):
    response = viewer_client.post(reverse("coverage:run_now"))

    assert response.status_code == 403
    assert not CoverageRun.objects.exists()


def test_viewer_can_still_log_out(viewer_client):
    response = viewer_client.post(reverse("logout"))

    assert response.status_code == 302
    assert viewer_client.get(reverse("coverage:dashboard")).status_code == 302


def test_consultant_post_to_a_read_only_page_is_not_refused_by_role(consultant_client):
    assert consultant_client.post(reverse("coverage:dashboard")).status_code == 405
