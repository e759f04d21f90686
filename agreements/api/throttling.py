"""Request rates: each personal token has its own budget (API_TOKEN_RATE), each browser session
user theirs (API_SESSION_RATE); a 429 says when to come back (Retry-After)."""

from rest_framework.throttling import SimpleRateThrottle

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
