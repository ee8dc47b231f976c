from collections.abc import Mapping

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.roles import Action
from core.scope import may


def required_action(view, request) -> str | tuple[str, ...] | None:
    """The action(s) a request asks for: declared on an extra route, else read or the viewset's write.
    None for a write to a view that declares none (`stats/`, `history/`).

    A route may declare several actions, any of which will do (a step open to two roles), or one per
    method ({"GET": read, "POST": a step's}); a safe method it does not name is a read."""
    declared = getattr(view, "action_requires", None)
    if isinstance(declared, Mapping):
        declared = declared.get(request.method, Action.READ if request.method in SAFE_METHODS else None)
        if declared is None:
            return None
    if declared:
        return declared
    return Action.READ if request.method in SAFE_METHODS else getattr(view, "write_action", None)


class RolePermission(BasePermission):
    """docs/api.md's refusal order: 401, then 404 (scope, in get_queryset), then 403 (role), then 400.

    Requests on one object defer the role check until the object has been found in scope, so an
    out-of-scope id is a 404 for everybody, never a 403 that would confirm it exists.
    """

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if getattr(view, "detail", False):
            return True
        return self._allowed(request, view)

    def has_object_permission(self, request, view, obj):
        return self._allowed(request, view, obj)

    @staticmethod
    def _allowed(request, view, obj=None) -> bool:
        wanted = required_action(view, request)
        if wanted is None:
            # Through only to the 405 of a method the view does not handle; a handler needs an action.
            return not hasattr(view, request.method.lower())
        wanted = (wanted,) if isinstance(wanted, str) else wanted
        return any(may(request.user, action, obj) for action in wanted)
