"""Who is calling: a personal token (Authorization: Token <token>) or the browser's session."""

import datetime

from django.utils import timezone
from knox.auth import TokenAuthentication

from agreements.api.models import ApiToken

# A token's "last used" is written at most this often, not on every request.
LAST_USED_REFRESH = datetime.timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    """A personal token, looked up by its hash; an expired token is refused (and removed)."""

    def validate_user(self, auth_token: ApiToken):
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_REFRESH:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token


def signed_in_with_token(request) -> bool:
    return isinstance(request.auth, ApiToken)
