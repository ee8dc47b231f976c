"""Notifications: one row per recipient in the in-app inbox, and an e-mail to each recipient who has
an address (Django's mail backend; the console backend unless EMAIL_BACKEND says otherwise).

`notify()` is called inside the transaction that made the change it reports: the rows are written in
that transaction (and vanish with it if it rolls back), the e-mails go out only once it has
committed, and a mail server that fails is logged, never raised into the caller.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification, User, validate_relative_link

logger = logging.getLogger(__name__)

TITLE_MAX = Notification._meta.get_field("title").max_length


def notify(
    users: Iterable[User], title: str, body: str, link: str = "", email: bool = True
) -> list[Notification]:
    """Write one notification per active recipient (each user once, whatever the input repeats) and,
    with `email`, send each recipient who has an e-mail address one message after the commit.

    `link` is a path inside the portal ("/self-checks/7/"); anything else is a programming error.
    Returns the notifications created.
    """
    try:
        validate_relative_link(link)
    except ValidationError as error:
        raise ValueError(f"notification link must be a relative URL: {link!r}") from error
    recipients: dict[int, User] = {}
    for user in users:
        if user is not None and user.pk is not None and user.is_active:
            recipients.setdefault(user.pk, user)
    if not recipients:
        return []
    title = _shorten(title, TITLE_MAX)
    created = Notification.objects.bulk_create(
        [Notification(recipient=user, title=title, body=body, link=link) for user in recipients.values()]
    )
    if email:
        addresses = [user.email for user in recipients.values() if user.email]
        if addresses:
            message = _email_body(body, link)
            transaction.on_commit(lambda: _send_each(addresses, title, message))
    return created


def _send_each(addresses: list[str], subject: str, message: str) -> None:
    """One message per recipient (no one sees another's address); one failure stops nobody else's."""
    for address in addresses:
        try:
            send_mail(subject=subject, message=message, from_email=None, recipient_list=[address])
        except Exception:
            logger.exception("Notification e-mail to %s failed: %s", address, subject)


def _email_body(body: str, link: str) -> str:
    if not link:
        return body
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    return f"{body}\n\n请登录社区规范化建设管理平台查看:{base}{link}\n"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
