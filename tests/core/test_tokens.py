"""API tokens: they expire, and die with a password change or reset, a deactivation and "sign out
everywhere"; their owner lists and revokes them on the account page and through the API."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import ApiToken, User
from demo.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
PROBE = "/api/v1/communities/"


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def obtain(username: str) -> str:
    response = APIClient().post(TOKEN_URL, {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200 and set(response.json()) == {"token"}
    return response.json()["token"]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def travel(monkeypatch, to: datetime.datetime):
    monkeypatch.setattr(timezone, "now", lambda: to)


# ---- issue and expiry -------------------------------------------------------------------------------
def test_the_endpoint_issues_a_token_of_which_only_a_digest_is_stored(world):
    key = obtain("clerk")
    token = ApiToken.objects.get(user=world.clerk)
    assert key not in {token.key_digest, token.prefix} and key.startswith(token.prefix)
    assert token_client(key).get(PROBE).status_code == 200


def test_a_token_expires_after_the_setting_with_a_clear_401(world, settings, monkeypatch):
    settings.API_TOKEN_TTL_DAYS = 30
    issued = timezone.now()
    key = obtain("clerk")
    client = token_client(key)

    travel(monkeypatch, issued + datetime.timedelta(days=29, hours=23))
    assert client.get(PROBE).status_code == 200

    travel(monkeypatch, issued + datetime.timedelta(days=30, minutes=1))
    expired = client.get(PROBE)
    assert expired.status_code == 401
    assert expired.json() == {"detail": "令牌已过期,请重新获取令牌。"}
    assert expired["WWW-Authenticate"].startswith("Token")


def test_the_ttl_follows_the_setting(world, settings):
    settings.API_TOKEN_TTL_DAYS = 2
    token, _ = ApiToken.issue(world.clerk)
    assert token.expires_at - token.created_at == datetime.timedelta(days=2)


def test_use_is_recorded_at_most_once_a_minute(world, monkeypatch):
    start = timezone.now()
    token, key = ApiToken.issue(world.clerk)
    client = token_client(key)
    client.get(PROBE)
    token.refresh_from_db()
    assert token.last_used_at >= start
    first = token.last_used_at
    travel(monkeypatch, first + datetime.timedelta(seconds=30))
    client.get(PROBE)
    token.refresh_from_db()
    assert token.last_used_at == first
    travel(monkeypatch, first + datetime.timedelta(minutes=2))
    client.get(PROBE)
    token.refresh_from_db()
    assert token.last_used_at == first + datetime.timedelta(minutes=2)


def test_issuing_drops_the_users_expired_tokens_only(world, monkeypatch):
    old, _ = ApiToken.issue(world.clerk)
    other, _ = ApiToken.issue(world.reviewer)
    travel(monkeypatch, timezone.now() + datetime.timedelta(days=31))
    ApiToken.issue(world.clerk)
    assert not ApiToken.objects.filter(pk=old.pk).exists()
    assert ApiToken.objects.filter(pk=other.pk).exists()


# ---- the ways a token dies --------------------------------------------------------------------------
def test_own_password_change_ends_tokens_and_other_sessions_but_not_this_one(world):
    key = obtain("clerk")
    elsewhere = logged_in(world.clerk)
    here = logged_in(world.clerk)
    response = here.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "Neues-Mima-2027", "new_password2": "Neues-Mima-2027"},
    )
    assert response.status_code == 302
    assert token_client(key).get(PROBE).status_code == 401
    assert elsewhere.get("/account/").status_code == 302  # to the login page
    assert here.get("/account/").status_code == 200


def edit_clerk_t3(world, password: str):
    """The city officer saves clerk_t3's user form, with a new password or none."""
    form = {
        "username": "clerk_t3",
        "full_name": "三号",
        "phone": "",
        "email": "",
        "unit": world.t3.pk,
        "role": "town_clerk",
        "is_active": "on",
        "password": password,
    }
    assert logged_in(world.officer).post(f"/users/{world.clerk_t3.pk}/edit/", form).status_code == 302


def test_the_city_officer_resetting_a_clerks_password_ends_the_clerks_tokens(world):
    key = obtain("clerk_t3")
    edit_clerk_t3(world, "Neues-Mima-2027")
    assert token_client(key).get(PROBE).status_code == 401
    assert not ApiToken.objects.filter(user=world.clerk_t3).exists()


def test_editing_without_a_new_password_keeps_the_tokens(world):
    key = obtain("clerk_t3")
    edit_clerk_t3(world, "")
    assert token_client(key).get(PROBE).status_code == 200


def test_deactivation_ends_tokens_for_good(world):
    key = obtain("clerk")
    world.clerk.is_active = False
    world.clerk.save()
    world.clerk.is_active = True
    world.clerk.save()
    assert token_client(key).get(PROBE).status_code == 401


def test_bulk_deactivation_ends_tokens(world):
    key = obtain("clerk")
    kept = obtain("clerk_t3")
    response = logged_in(world.officer).post("/users/bulk/", {"action": "disable", "users": [world.clerk.pk]})
    assert response.status_code == 302
    User.objects.filter(pk=world.clerk.pk).update(is_active=True)
    assert token_client(key).get(PROBE).status_code == 401
    assert token_client(kept).get(PROBE).status_code == 200


def test_sign_out_everywhere_ends_every_session_and_token_of_the_user_only(world):
    key = obtain("clerk")
    other_key = obtain("reviewer")
    elsewhere = logged_in(world.clerk)
    here = logged_in(world.clerk)
    colleague = logged_in(world.reviewer)

    assert here.get("/account/sign-out-everywhere/").status_code == 405  # POST only
    response = here.post("/account/sign-out-everywhere/")
    assert response.status_code == 302 and response["Location"] == "/login/"

    assert token_client(key).get(PROBE).status_code == 401
    assert here.get("/account/").status_code == 302
    assert elsewhere.get("/account/").status_code == 302
    assert colleague.get("/account/").status_code == 200
    assert token_client(other_key).get(PROBE).status_code == 200
    # A fresh login works again.
    assert Client().post("/login/", {"username": "clerk", "password": PASSWORD}).status_code == 302


def test_sign_out_everywhere_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.clerk)
    assert client.post("/account/sign-out-everywhere/").status_code == 403
    assert client.get("/account/").status_code == 200


# ---- the owner sees and revokes them ----------------------------------------------------------------
def test_the_account_page_lists_own_tokens_only(world):
    mine, _ = ApiToken.issue(world.clerk)
    theirs, _ = ApiToken.issue(world.reviewer)
    page = logged_in(world.clerk).get("/account/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-testid="api-token-{mine.pk}"' in html and mine.prefix in html
    assert f'data-testid="api-token-{theirs.pk}"' not in html
    assert mine.expires_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in html


def test_revoking_on_the_page(world):
    token, key = ApiToken.issue(world.clerk)
    client = logged_in(world.clerk)
    assert client.get(f"/account/tokens/{token.pk}/revoke/").status_code == 405
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert token_client(key).get(PROBE).status_code == 401


def test_another_users_token_cannot_be_revoked_on_the_page(world):
    theirs, key = ApiToken.issue(world.reviewer)
    assert logged_in(world.clerk).post(f"/account/tokens/{theirs.pk}/revoke/").status_code == 404
    assert token_client(key).get(PROBE).status_code == 200


def test_api_lists_and_revokes_own_tokens(world, api):
    mine, _ = ApiToken.issue(world.clerk)
    ApiToken.issue(world.reviewer)
    client = api.as_user(world.clerk)  # a second token of the clerk's
    listed = client.get("/api/v1/auth/tokens/")
    assert listed.status_code == 200
    rows = listed.json()
    assert len(rows) == 2 and {row["id"] for row in rows} >= {mine.pk}
    assert set(rows[0]) == {"id", "prefix", "created_at", "last_used_at", "expires_at"}
    assert client.delete(f"/api/v1/auth/tokens/{mine.pk}/").status_code == 204
    assert not ApiToken.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize("role", ["reader", "reviewer", "officer"])
def test_api_cannot_revoke_another_users_token(world, api, role):
    theirs, key = ApiToken.issue(world.clerk)
    client = api.as_user(getattr(world, role))
    assert client.delete(f"/api/v1/auth/tokens/{theirs.pk}/").status_code == 404
    assert token_client(key).get(PROBE).status_code == 200


def test_token_list_needs_authentication(db, api):
    assert api.get("/api/v1/auth/tokens/").status_code == 401
