"""A browser session ends after SESSION_IDLE_MINUTES without a request; activity keeps it alive."""

import datetime

from django.test import Client
from django.utils import timezone

from core.models import ApiToken


def travel(monkeypatch, to: datetime.datetime):
    monkeypatch.setattr(timezone, "now", lambda: to)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_idle_session_is_logged_out_with_a_message(world, settings, monkeypatch):
    settings.SESSION_IDLE_MINUTES = 30
    start = timezone.now()
    client = signed_in(world.clerk)
    assert client.get("/inbox/").status_code == 200

    travel(monkeypatch, start + datetime.timedelta(minutes=31))
    response = client.get("/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "30 分钟未操作" in page


def test_activity_keeps_the_session_alive(world, settings, monkeypatch):
    settings.SESSION_IDLE_MINUTES = 30
    start = timezone.now()
    client = signed_in(world.clerk)
    for minutes in (0, 20, 40, 60, 80):  # never 30 minutes apart
        travel(monkeypatch, start + datetime.timedelta(minutes=minutes))
        assert client.get("/inbox/").status_code == 200


def test_the_idle_time_follows_the_setting(world, settings, monkeypatch):
    settings.SESSION_IDLE_MINUTES = 5
    start = timezone.now()
    client = signed_in(world.clerk)
    client.get("/inbox/")
    travel(monkeypatch, start + datetime.timedelta(minutes=6))
    assert client.get("/inbox/").status_code == 302


def test_an_idle_session_gets_a_401_on_the_api(world, settings, monkeypatch):
    settings.SESSION_IDLE_MINUTES = 30
    start = timezone.now()
    client = signed_in(world.clerk)
    assert client.get("/api/v1/communities/").status_code == 200
    travel(monkeypatch, start + datetime.timedelta(hours=2))
    assert client.get("/api/v1/communities/").status_code in (401, 403)
    assert "_auth_user_id" not in client.session


def test_token_clients_are_not_affected(world, settings, monkeypatch, api):
    settings.SESSION_IDLE_MINUTES = 30
    start = timezone.now()
    _, key = ApiToken.issue(world.clerk)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/communities/").status_code == 200
    travel(monkeypatch, start + datetime.timedelta(hours=2))
    assert api.get("/api/v1/communities/").status_code == 200
