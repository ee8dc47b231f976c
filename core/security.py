"""Login lockout answers (django-axes) and the one page that needs a looser Content-Security-Policy.

Axes counts failed logins per user name and client address (settings `AXES_*`). The browser's login
page is answered by `lockout_response`, which axes calls from its middleware; the API's token
endpoint raises `LockedOut`, because DRF hands axes its own request object, which axes' middleware
never sees.
"""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.shortcuts import render
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.exceptions import Throttled


def cool_off_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = -(-cool_off_seconds() // 60)
    return f"登录失败次数过多,该账号已被暂时锁定。请 {minutes} 分钟后再试,或联系管理员解锁。"


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the Chinese lockout page, 429 with Retry-After (the whole cool-off,
    an upper bound of the time left)."""
    response = render(
        request,
        "registration/locked.html",
        {"message": lockout_message(), "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(cool_off_seconds())
    return response


class LockedOut(Throttled):
    """429 {"detail"} with Retry-After, as docs/api.md allows for a locked-out user."""

    def __init__(self):
        super().__init__(wait=cool_off_seconds(), detail=lockout_message())


def is_locked_out(request) -> bool:
    """Whether axes refused this request's login (it flags the request it was given)."""
    return bool(getattr(request, "axes_locked_out", False))


# Swagger UI's page (drf-spectacular's template) has an inline <style> block; its scripts are files,
# served by the split view (the init script from `?script`), so only styles are loosened, here only.
swagger_docs_view = csp_update({"style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)
