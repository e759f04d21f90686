"""The API's documentation (Swagger UI), reached from the user menu."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DOCS_LINK = f'<a class="dropdown-item" href="{reverse("api:docs")}">API documentation</a>'


@pytest.mark.parametrize("role", ["viewer", "consultant", "admin_user"])
def test_the_user_menu_links_the_api_docs_for_every_role(browse, role):
    response = browse(role).get(reverse("coverage:dashboard"))

    assert response.status_code == 200
    assert DOCS_LINK in response.content.decode()


def test_the_linked_docs_page_opens_for_a_signed_in_user(browse):
    assert browse("viewer").get(reverse("api:docs")).status_code == 200
