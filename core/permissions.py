"""Role checks for the web UI.

Consultants view, add and change; viewers only view; deleting is left to admins in Django admin.
Every object a view fetches comes from `visible_to(user, model)`, so a forgotten check returns
nothing instead of leaking a row.
"""

from django.contrib.auth.mixins import PermissionRequiredMixin


def perm_name(model, action):
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def visible_to(user, model):
    """The rows of `model` this user may see: all of them with the view permission, else none."""
    queryset = model._default_manager.all()
    return queryset if user.has_perm(perm_name(model, "view")) else queryset.none()


def can_add(user, model):
    return user.has_perm(perm_name(model, "add"))


def can_change(user, model):
    return user.has_perm(perm_name(model, "change"))


class ModelPermissionMixin(PermissionRequiredMixin):
    """Requires `<action>_<model>` on `model`; an authenticated user without it gets 403.

    Set `model` and `permission_action` ("view", "add" or "change") on the view.
    """

    permission_action = "view"
    raise_exception = True

    def get_permission_required(self):
        return (perm_name(self.model, self.permission_action),)

    def get_queryset(self):
        return visible_to(self.request.user, self.model)
