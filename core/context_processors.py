from .roles import Action


def permissions(request):
    """`can.<action>` in templates, so menus and buttons follow the same role table as the views."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}}
    return {"can": {action.value: user.is_superuser or user.can(action) for action in Action}}
