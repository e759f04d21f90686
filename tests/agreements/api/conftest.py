import pytest
from rest_framework.test import APIClient

from agreements.api.models import ApiToken


def token_for(user, name="Integration"):
    """A personal token of `user`, as the API tokens page makes it (the secret, shown once)."""
    _, secret = ApiToken.objects.create(user=user, expiry=None, name=name)
    return secret


@pytest.fixture
def api():
    """An API client for the named user fixture ("admin_user", "consultant", "viewer") with a
    personal token, or anonymous for None."""

    def as_role(user):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        return client

    return as_role


def pytest_terminal_summary(terminalreporter):
    from tests.agreements.api import test_schemathesis

    counts = test_schemathesis.CASES
    if any(counts.values()):
        terminalreporter.write_line(
            f"schemathesis: {sum(counts.values())} generated cases "
            f"({counts['consultant']} as a consultant, {counts['viewer']} as a viewer)"
        )
