from django.utils.functional import SimpleLazyObject

from .models import Notification
from .roles import Action


def permissions(request):
    """`can.<action>` in templates, so menus and buttons follow the same role table as the views."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}}
    return {"can": {action.value: user.is_superuser or user.can(action) for action in Action}}


def notifications(request):
    """`unread_notifications` for the navbar badge: one COUNT, run only if a template shows it, and
    none at all for an anonymous visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(lambda: Notification.objects.for_user(user).unread().count())
    }
