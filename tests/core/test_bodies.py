"""A body the API cannot read is a refusal, never a server error: JSON that is no JSON or nests too deep is
a field-keyed 400, a body over DATA_UPLOAD_MAX_MEMORY_SIZE a 413 {"detail"}, and a view that fails
answers 500 {"detail"} in JSON (logged), never Django's HTML or debug page."""

import logging

import pytest
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from communities.models import Community
from core.api.parsers import MAX_DEPTH, too_deep
from core.views import handler500
from demo.factories import PASSWORD

TOKEN = "/api/v1/auth/token/"
COMMUNITIES = "/api/v1/communities/"

DEEP_BODIES = {
    "brackets": b"[" * 50_000,
    "objects": b'{"a":' * 50_000,
    "closed brackets": b"[" * 50_000 + b"]" * 50_000,
    "just past the limit": b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
}


def assert_json(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES)
def test_deep_json_to_the_token_endpoint_is_a_400(db, body):
    body = assert_json(APIClient().post(TOKEN, body, content_type="application/json"), 400)
    assert list(body) == ["non_field_errors"]
    assert body["non_field_errors"][0].startswith("请求体无法解析")


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES)
def test_deep_json_to_an_authenticated_write_is_a_400_and_changes_nothing(world, api, body):
    before = Community.objects.count()
    response = api.as_user(world.clerk).post(COMMUNITIES, body, content_type="application/json")
    assert list(assert_json(response, 400)) == ["non_field_errors"]
    assert Community.objects.count() == before


def test_json_nested_within_the_limit_is_read(db):
    nested = b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1)  # inside the body's own object
    body = b'{"username": "clerk", "password": "x", "extra": ' + nested + b"}"
    response = APIClient().post(TOKEN, body, content_type="application/json")
    assert set(assert_json(response, 400)) == {"non_field_errors"}  # wrong credentials, not unreadable
    assert not assert_json(response, 400)["non_field_errors"][0].startswith("请求体无法解析")


def test_too_deep_counts_lists_and_objects():
    assert not too_deep({"a": [1, {"b": 2}]}, limit=3)
    assert too_deep({"a": [1, {"b": []}]}, limit=3)
    assert not too_deep("[[[[", limit=1)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
@pytest.mark.parametrize(
    "content_type,body",
    [
        ("application/json", b'{"username": "' + b"x" * 2000 + b'"}'),
        ("application/x-www-form-urlencoded", b"username=" + b"x" * 2000),
    ],
)
def test_a_body_over_the_limit_to_the_token_endpoint_is_a_413(db, content_type, body):
    response = APIClient().post(TOKEN, body, content_type=content_type)
    assert assert_json(response, 413) == {"detail": "请求体过大,超出允许的大小。"}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_limit_to_an_authenticated_write_is_a_413(world, api):
    client = api.as_user(world.clerk)
    response = client.post(COMMUNITIES, {"name": "x" * 2000}, format="json")
    assert assert_json(response, 413) == {"detail": "请求体过大,超出允许的大小。"}
    multipart = client.post(COMMUNITIES, {"name": "x" * 2000}, format="multipart")
    assert assert_json(multipart, 413) == {"detail": "请求体过大,超出允许的大小。"}


def test_a_body_over_the_default_limit_is_a_413(db):
    body = b'{"username": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    response = APIClient().post(TOKEN, body, content_type="application/json")
    assert assert_json(response, 413)["detail"].startswith("请求体过大")


def test_good_credentials_still_give_a_token(world):
    response = APIClient().post(TOKEN, {"username": "clerk", "password": PASSWORD}, format="json")
    assert "token" in assert_json(response, 200)


@pytest.mark.parametrize("debug", [False, True])
def test_a_failing_api_view_is_a_logged_json_500_even_with_debug_on(world, api, monkeypatch, caplog, debug):
    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("core.api.views.UnitViewSet.list", fail)
    client = api.as_user(world.clerk)
    client.raise_request_exception = False
    with override_settings(DEBUG=debug), caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/units/")
    assert assert_json(response, 500) == {"detail": "服务器内部错误,请稍后再试。"}
    assert b"Traceback" not in response.content
    record = next(r for r in caplog.records if r.name == "django.request" and r.exc_info)
    assert record.exc_info[1].args == ("boom",)


def test_the_server_error_handler_answers_json_on_the_api_and_a_page_elsewhere():
    factory = RequestFactory()
    api_response = handler500(factory.get("/api/v1/units/"))
    assert api_response.status_code == 500 and api_response["Content-Type"] == "application/json"
    page = handler500(factory.get("/communities/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
