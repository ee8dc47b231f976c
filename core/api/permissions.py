from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.roles import Action
from core.scope import may


def required_action(view, request) -> str:
    """The action a request asks for: declared on an extra route, else read or the viewset's write."""
    declared = getattr(view, "action_requires", None)
    if declared:
        return declared
    return Action.READ if request.method in SAFE_METHODS else view.write_action


class RolePermission(BasePermission):
    """API.md's refusal order: 401, then 404 (scope, in get_queryset), then 403 (role), then 400.

    Requests on one object defer the role check until the object has been found in scope, so an
    out-of-scope id is a 404 for everybody, never a 403 that would confirm it exists.
    """

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if getattr(view, "detail", False):
            return True
        return may(user, required_action(view, request))

    def has_object_permission(self, request, view, obj):
        return may(request.user, required_action(view, request), obj)
