"""The site's 404 (handler404, core.views.not_found): the API's shape under /api/, the page
elsewhere."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_url_no_view_takes_under_api_answers_the_apis_json_404(consultant_client):
    response = consultant_client.get("/api/v1/no-such-topic/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_url_no_view_takes_elsewhere_answers_the_404_page(consultant_client):
    response = consultant_client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
