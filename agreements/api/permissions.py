"""The web app's roles, for the API.

Reading needs `view_<model>`, creating `add_<model>`, changing `change_<model>`: viewers read,
consultants read and write, as on the pages. Deleting a top-level row is for admins only, signed
in through the browser with their second factor, as Django admin asks. A personal token never
carries admin-only rights: whatever its user may do, a token reads and writes the domain's rows
(skills, clients, agreements) and deletes nothing.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from agreements.api.authentication import signed_in_with_token
from core.groups import DOMAIN_APPS
from core.permissions import perm_name

ACTION_OF_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
}


def is_admin_with_second_factor(request) -> bool:
    user = request.user
    if signed_in_with_token(request) or not user.is_staff:
        return False
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


class RolePermission(BasePermission):
    """`<action>_<model>` on the view's model; the view may name another model or action for an
    operation that is not plain create or update (e.g. acknowledging a flag is a change)."""

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        model = self.model_of(view)
        if model is None:
            # A page of links (the API's root) or a schema: to read only.
            return request.method in SAFE_METHODS
        if request.method == "DELETE":
            return is_admin_with_second_factor(request) and user.has_perm(
                perm_name(model, "delete")
            )
        action = getattr(view, "permission_actions", {}).get(
            getattr(view, "action", None), ACTION_OF_METHOD.get(request.method)
        )
        if action is None:
            return False
        if signed_in_with_token(request) and model._meta.app_label not in DOMAIN_APPS:
            return False
        return user.has_perm(perm_name(model, action))

    @staticmethod
    def model_of(view):
        model = getattr(view, "permission_model", None)
        if model is None and hasattr(view, "get_queryset"):
            queryset = getattr(view, "queryset", None)
            model = (queryset if queryset is not None else view.get_queryset()).model
        return model
