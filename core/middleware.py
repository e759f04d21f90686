import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.cache import patch_cache_control

from core.groups import DECIDE_PROPOSALS, OWN_ROWS

# A read-only user still logs out and manages their own password, second factor and calendar.
ACCOUNT_URL_NAMES = {
    "login",
    "logout",
    "password_change",
    "password_reset",
    "password_reset_confirm",
    "two_factor",
    "calendar_feed_settings",
    "notifications",
}


# A technician writes only their own proposals and time off, a skill approver only decisions
# (core/groups.py): those permissions alone leave a user read-only everywhere else, and these
# pages, which check the row's owner themselves, are the only others they may post to.
OWN_ROW_PERMISSIONS = {f"{app}.{codename}" for app, codename in [*OWN_ROWS, DECIDE_PROPOSALS]}
OWN_ROW_PAGES = {
    "skills:time_off_create",
    "skills:time_off_update",
    "skills:time_off_delete",
    "skills:proposal_skill_create",
    "skills:proposal_certification_create",
    "skills:proposal_withdraw",
    "skills:my_skill_confirm",
    "approvals:queue",
}


def is_read_only(user):
    """True for a signed-in user who may add or change nothing (the Viewer group), or nothing
    but their own rows (the Technician and Skill approvers groups)."""
    if user.is_superuser:
        return False
    return not any(
        perm.split(".", 1)[1].startswith(("add_", "change_"))
        for perm in user.get_all_permissions() - OWN_ROW_PERMISSIONS
    )


class ReadOnlyUserMiddleware:
    """Refuses every POST of a read-only user with 403, whatever page it targets."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        # The admin and the API (agreements/api/permissions.py) check roles themselves.
        if match.url_name in ACCOUNT_URL_NAMES or match.namespace in ("admin", "api"):
            return None
        if is_read_only(request.user) and match.view_name not in OWN_ROW_PAGES:
            raise PermissionDenied("Your role can look at everything but change nothing.")
        return None


class PermissionsPolicyMiddleware:
    """Denies every page the browser features the app never uses (PERMISSIONS_POLICY)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class SignedInNotStoredMiddleware:
    """Answers to a signed-in user (a page, a file, an API call with a session or a token) are
    `Cache-Control: private, no-store`: neither a shared proxy nor the browser's disk keeps a
    client's data, and the back button after logging out shows no page of the session. Static
    files (WhiteNoise answers them earlier) and the public pages are cached as usual."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read after the view: the API sets request.user when a token authenticates the call.
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


SEEN_AT_KEY = "seen_at"
SEEN_REFRESH_SECONDS = 60


class IdleSessionMiddleware:
    """Keeps a session alive while it is used: the session (which expires SESSION_IDLE_MINUTES
    after it was last saved) is saved again once a minute at most, not on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get(SEEN_AT_KEY, 0) >= SEEN_REFRESH_SECONDS:
                session[SEEN_AT_KEY] = now
        return self.get_response(request)


def session_seen_at_login(sender, request, user, **kwargs):
    """Receiver of user_logged_in: a fresh session counts as just used."""
    request.session[SEEN_AT_KEY] = int(time.time())
