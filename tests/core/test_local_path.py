"""Where a "next" field may send the browser after a POST: a path of this site, nothing else."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from agreements.coverage.models import CoverageFlag
from core.views import local_path
from tests.agreements.factories import CoverageFlagFactory


@pytest.mark.parametrize("value", ["/flags/", "/flags/?status=open&page=2", "/agreements/7/#flags"])
def test_a_path_of_this_site_is_followed(value):
    assert local_path(RequestFactory().get("/"), value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "abc",  # a URL name to Django's redirect(): NoReverseMatch
        "coverage:dashboard",
        "x\x00y",
        "/flags/\x00",
        "/flags/\r\nSet-Cookie: a=b",
        "//evil.example/",
        "/\\evil.example/",
        "https://evil.example/",
        "javascript:alert(1)",
    ],
)
def test_anything_else_is_not(value):
    assert local_path(RequestFactory().get("/"), value) is None


@pytest.mark.django_db
@pytest.mark.parametrize("next_value", ["abc", "x\x00y", "//evil.example/"])
def test_acknowledging_with_a_bad_next_goes_back_to_the_dashboard(consultant_client, next_value):
    flag = CoverageFlagFactory()

    response = consultant_client.post(
        reverse("coverage:flag_acknowledge", args=[flag.pk]), {"next": next_value}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("coverage:dashboard")
    assert CoverageFlag.objects.get(pk=flag.pk).acknowledged_at is not None


@pytest.mark.django_db
def test_acknowledging_goes_back_to_the_page_it_came_from(consultant_client):
    flag = CoverageFlagFactory()

    response = consultant_client.post(
        reverse("coverage:flag_acknowledge", args=[flag.pk]), {"next": "/flags/?page=2"}
    )

    assert response["Location"] == "/flags/?page=2"
