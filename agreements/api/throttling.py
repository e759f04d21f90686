"""Request rates: each personal token has its own budget (API_TOKEN_RATE), each browser session
user theirs (API_SESSION_RATE), each address without valid credentials its own
(API_ANONYMOUS_RATE, DRF's AnonRateThrottle); a 429 says when to come back (Retry-After)."""

from rest_framework.exceptions import Throttled
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from agreements.api.authentication import signed_in_with_token


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        if not signed_in_with_token(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class SessionRateThrottle(SimpleRateThrottle):
    scope = "session"

    def get_cache_key(self, request, view):
        if signed_in_with_token(request) or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def anonymous_refusal_throttled(request, view) -> Throttled | None:
    """Count a request refused for want of valid credentials against its address's budget; past
    the budget, the 429 to answer instead of the 401.

    Every API view refuses an anonymous caller, and DRF checks permissions (and authenticates)
    before it throttles, so the anonymous throttle of DEFAULT_THROTTLE_CLASSES never sees one:
    the refusals are counted where they are answered, in the exception handler (errors.py)."""
    throttle = AnonRateThrottle()
    if throttle.allow_request(request, view):
        return None
    return Throttled(wait=throttle.wait())
