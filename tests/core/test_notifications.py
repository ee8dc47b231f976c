"""Notifications: `notify()` writes one inbox row per active recipient and e-mails
after the commit; the inbox shows a user their own messages only; the navbar badge counts unread."""

import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import transaction
from django.test import RequestFactory

from core import notifications as service
from core.context_processors import notifications as badge
from core.models import Notification
from core.notifications import notify
from core.roles import Role
from demo.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    world.clerk.email = "clerk@example.cn"
    world.clerk.save()
    world.reviewer.email = "reviewer@example.cn"
    world.reviewer.save()
    world.gone = UserFactory(
        username="gone", unit=world.t1, role=Role.TOWN_CLERK, is_active=False, email="gone@example.cn"
    )
    return world


# --- the service -------------------------------------------------------------------------------


def test_notify_writes_one_row_per_active_recipient_once(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(
            [people.clerk, people.reviewer, people.clerk, people.gone, people.officer],
            "标题",
            "正文",
            link="/self-checks/1/",
        )

    assert len(created) == 3
    rows = Notification.objects.order_by("recipient__username")
    assert [n.recipient.username for n in rows] == ["clerk", "officer", "reviewer"]
    assert {(n.title, n.body, n.link, n.read_at) for n in rows} == {("标题", "正文", "/self-checks/1/", None)}
    # one message each to those with an address; the officer has none, the inactive user is skipped
    assert sorted(m.to[0] for m in mail.outbox) == ["clerk@example.cn", "reviewer@example.cn"]
    assert all(len(m.to) == 1 and m.subject == "标题" for m in mail.outbox)
    assert "/self-checks/1/" in mail.outbox[0].body


def test_notify_accepts_a_queryset_and_nobody(people):
    assert notify([], "标题", "正文") == []
    assert notify([people.gone], "标题", "正文") == []
    from core.models import User

    assert len(notify(User.objects.filter(unit=people.t1), "标题", "正文", email=False)) == 1  # clerk


def test_email_leaves_only_after_the_commit(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([people.clerk], "标题", "正文")
        assert mail.outbox == []
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["clerk@example.cn"]]


def test_a_rolled_back_transaction_leaves_no_row_and_sends_nothing(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify([people.clerk], "标题", "正文")
            raise RuntimeError("the step failed")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_email_false_sends_nothing(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify([people.clerk], "标题", "正文", email=False)
    assert callbacks == [] and mail.outbox == []
    assert Notification.objects.count() == 1


def test_a_failing_mail_server_is_logged_and_stops_nobody_else(
    people, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    real_send = service.send_mail

    def flaky(*, recipient_list, **kwargs):
        if recipient_list == ["clerk@example.cn"]:
            raise ConnectionRefusedError("smtp down")
        return real_send(recipient_list=recipient_list, **kwargs)

    monkeypatch.setattr(service, "send_mail", flaky)
    with caplog.at_level(logging.ERROR, logger="core.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            notify([people.clerk, people.reviewer], "标题", "正文")

    assert [m.to for m in mail.outbox] == [["reviewer@example.cn"]]
    assert Notification.objects.count() == 2
    assert "clerk@example.cn" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_mail_failure_after_a_real_commit_neither_raises_nor_undoes_anything(people, monkeypatch):
    def broken(**kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr(service, "send_mail", broken)
    with transaction.atomic():
        notify([people.clerk], "标题", "正文")  # the callback runs as this block commits
    assert Notification.objects.filter(recipient=people.clerk).count() == 1

    notify([people.reviewer], "标题", "正文")  # autocommit: on_commit runs at once, still no raise
    assert Notification.objects.filter(recipient=people.reviewer).count() == 1


def test_links_are_relative_paths_only(people):
    for bad in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", "self-checks/1/"):
        with pytest.raises(ValueError):
            notify([people.clerk], "标题", "正文", link=bad)
    assert not Notification.objects.exists()


def test_a_long_title_is_shortened_to_fit(people):
    (created,) = notify([people.clerk], "长" * 500, "正文", email=False)
    created.refresh_from_db()
    assert len(created.title) == 200 and created.title.endswith("…")


def test_for_user_is_own_only(people):
    notify([people.clerk, people.reviewer], "标题", "正文", email=False)
    assert [n.recipient for n in Notification.objects.for_user(people.clerk)] == [people.clerk]
    assert not Notification.objects.for_user(AnonymousUser()).exists()


# --- the inbox -----------------------------------------------------------------------------------


@pytest.fixture
def clerk_client(people, client):
    client.force_login(people.clerk)
    return client


def test_inbox_needs_a_login(client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert client.post("/inbox/read-all/").status_code == 302


def test_inbox_lists_own_notifications_newest_first_unread_bold(people, clerk_client):
    notify([people.clerk], "第一条", "正文一", link="/self-checks/1/", email=False)
    notify([people.clerk], "第二条", "正文二", link="/self-checks/2/", email=False)
    notify([people.reviewer], "别人的", "正文", email=False)
    Notification.objects.filter(title="第一条").update(read_at="2026-01-01T00:00:00Z")

    response = clerk_client.get("/inbox/")

    assert response.status_code == 200
    assert [n.title for n in response.context["notifications"]] == ["第二条", "第一条"]
    html = response.content.decode()
    assert "别人的" not in html
    assert 'href="/self-checks/2/"' in html and 'href="/self-checks/1/"' in html
    unread = Notification.objects.get(title="第二条")
    assert f'data-testid="notification-{unread.pk}"' in html
    assert html.count("fw-bold") == 1  # the unread one only


def test_inbox_is_paginated(people, clerk_client):
    for i in range(35):
        notify([people.clerk], f"消息{i}", "正文", email=False)
    first = clerk_client.get("/inbox/")
    second = clerk_client.get("/inbox/?page=2")
    assert len(first.context["notifications"]) == 30
    assert len(second.context["notifications"]) == 5
    assert first.context["notifications"][0].title == "消息34"


def test_mark_one_read(people, clerk_client):
    (mine,) = notify([people.clerk], "标题", "正文", email=False)
    response = clerk_client.post(f"/inbox/{mine.pk}/read/")
    assert response.status_code == 302 and response.url == "/inbox/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    first_read = mine.read_at
    clerk_client.post(f"/inbox/{mine.pk}/read/")  # again: unchanged
    mine.refresh_from_db()
    assert mine.read_at == first_read


def test_mark_read_follows_a_local_next_only(people, clerk_client):
    (mine,) = notify([people.clerk], "标题", "正文", link="/self-checks/3/", email=False)
    local = clerk_client.post(f"/inbox/{mine.pk}/read/", {"next": "/self-checks/3/"})
    assert local.url == "/self-checks/3/"
    external = clerk_client.post(f"/inbox/{mine.pk}/read/", {"next": "https://evil.example/"})
    assert external.url == "/inbox/"


def test_another_users_notification_is_a_404(people, clerk_client):
    (theirs,) = notify([people.reviewer], "标题", "正文", email=False)
    assert clerk_client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    assert clerk_client.post("/inbox/999999/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_reading_takes_a_post(people, clerk_client):
    (mine,) = notify([people.clerk], "标题", "正文", email=False)
    assert clerk_client.get(f"/inbox/{mine.pk}/read/").status_code == 405
    assert clerk_client.get("/inbox/read-all/").status_code == 405
    mine.refresh_from_db()
    assert mine.read_at is None


def test_mark_all_read_touches_own_only(people, clerk_client):
    notify([people.clerk, people.reviewer], "一", "正文", email=False)
    notify([people.clerk, people.reviewer], "二", "正文", email=False)
    response = clerk_client.post("/inbox/read-all/")
    assert response.status_code == 302 and response.url == "/inbox/"
    assert not Notification.objects.for_user(people.clerk).unread().exists()
    assert Notification.objects.for_user(people.reviewer).unread().count() == 2


# --- the badge -----------------------------------------------------------------------------------


def test_badge_counts_unread_in_the_navbar(people, clerk_client):
    notify([people.clerk], "一", "正文", email=False)
    notify([people.clerk], "二", "正文", email=False)
    notify([people.reviewer], "别人的", "正文", email=False)
    Notification.objects.filter(recipient=people.clerk, title="一").update(read_at="2026-01-01T00:00:00Z")
    notify([people.clerk], "三", "正文", email=False)

    response = clerk_client.get("/inbox/")
    assert response.context["unread_notifications"] == 2
    assert 'data-testid="unread-count"' in response.content.decode()
    assert '">2</span>' in response.content.decode()

    clerk_client.post("/inbox/read-all/")
    response = clerk_client.get("/inbox/")
    assert response.context["unread_notifications"] == 0
    assert 'data-testid="unread-count"' not in response.content.decode()


def test_badge_is_one_count_query_and_none_for_anonymous(people, django_assert_num_queries):
    notify([people.clerk], "一", "正文", email=False)
    request = RequestFactory().get("/")
    request.user = people.clerk
    with django_assert_num_queries(1):
        context = badge(request)
        assert context["unread_notifications"] == 1
        assert context["unread_notifications"] > 0  # evaluated once, cached

    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert badge(request) == {}


def test_anonymous_pages_have_no_badge(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "unread_notifications" not in response.context
    assert 'data-testid="inbox-link"' not in response.content.decode()
