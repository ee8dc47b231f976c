"""Login lockout (django-axes), the client's address, and the one page that needs a looser
Content-Security-Policy.

Axes counts failed logins per user name and client address (settings `AXES_*`); `LoginLockoutHandler`
adds a looser limit per address alone. The address is `client_address`: the peer's, or behind
TRUSTED_PROXY_COUNT proxies the one the outermost proxy saw. The browser's login page is answered by
`lockout_response`, which axes calls from its middleware; the API's token endpoint raises
`LockedOut`, because DRF hands axes its own request object, which axes' middleware never sees.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.exceptions import Throttled


def client_address(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address the request came from.

    Without a proxy (TRUSTED_PROXY_COUNT 0) that is the peer, REMOTE_ADDR; X-Forwarded-For is then
    ignored, since any client can send one. Behind N trusted proxies, each of which appends the
    address it was reached from, the client is the N-th entry from the right of X-Forwarded-For
    (what a client put further left is not believed). A header shorter than that or not an address
    means the proxies are not set up as declared: the peer's address is used."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


class LoginLockoutHandler(AxesDatabaseHandler):
    """AXES_HANDLER: axes' own lock per user name and address (AXES_FAILURE_LIMIT), and a looser one
    per address alone (LOGIN_ADDRESS_FAILURE_LIMIT failures over all user names within the
    cool-off). The first keeps one address from locking a user out everywhere; the second keeps one
    address from trying a few passwords on every user name."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return self.address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT

    @staticmethod
    def address_failures(request) -> int:
        address = getattr(request, "axes_ip_address", None) or client_address(request)
        attempts = AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


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


class IdleSessionMiddleware:
    """Ends a browser session left idle for SESSION_IDLE_MINUTES (a shared office computer left
    signed in): each request of a signed-in session records the time in the session, and a request
    arriving later than the idle time after the last one logs the session out first, so it is
    answered as an anonymous one (the login page, or a 401/403 on the API). The time is written at
    most once a minute, so not every page view writes the session. API calls with a token carry no
    session and are not affected."""

    KEY = "last_activity"
    WRITE_EVERY = 60  # seconds

    def __init__(self, get_response):
        self.get_response = get_response

    @classmethod
    def logged_in(cls, sender, request, user, **kwargs):
        """The login is the session's first activity (written with the login's own session save)."""
        if hasattr(request, "session"):
            request.session[cls.KEY] = cls.now()

    @staticmethod
    def now() -> int:
        return int(timezone.now().timestamp())

    def __call__(self, request):
        if request.user.is_authenticated:
            now = self.now()
            last = request.session.get(self.KEY)
            idle = settings.SESSION_IDLE_MINUTES * 60
            if last is not None and now - last > idle:
                logout(request)
                messages.info(
                    request,
                    f"您已超过 {settings.SESSION_IDLE_MINUTES} 分钟未操作,为安全起见已自动退出,请重新登录。",
                )
            elif last is None or now - last >= self.WRITE_EVERY:
                request.session[self.KEY] = now
        return self.get_response(request)


# Swagger UI's page (drf-spectacular's template) has an inline <style> block; its scripts are files,
# served by the split view (the init script from `?script`), so only styles are loosened, here only.
swagger_docs_view = csp_update({"style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)
