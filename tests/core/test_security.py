"""Security hardening: login lockout (browser, admin and API token), Argon2 hashing, response headers
and the Content-Security-Policy, cookie settings, per-user API throttling, uploads judged by content
and size on every upload path."""

import datetime
import io
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from assessments import runs
from assessments.models import IndicatorEvidence, SelfCheck
from communities import records
from communities.models import TownRecognition
from config import settings as project_settings
from core.models import ApiToken, Job
from demo.factories import PASSWORD, UserFactory

TOKEN_URL = "/api/v1/auth/token/"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def browser_login(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def api_login(api, username, password, **extra):
    return api.post(TOKEN_URL, {"username": username, "password": password}, format="json", **extra)


def fail_browser_logins(client, username, times, **extra):
    return [browser_login(client, username, "wrong-password", **extra).status_code for _ in range(times)]


# ---- lockout: browser ------------------------------------------------------------------------------
def test_browser_login_locks_after_the_limit_even_for_the_right_password(world, client):
    limit = django_settings.AXES_FAILURE_LIMIT
    # The failures before the limit get the login form back with its error.
    assert fail_browser_logins(client, "clerk", limit - 1) == [200] * (limit - 1)

    locked = browser_login(client, "clerk", "wrong-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "账号已暂时锁定" in page and "15 分钟后再试" in page
    assert locked["Retry-After"] == str(15 * 60)

    right = browser_login(client, "clerk", PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_user_name_and_address(world, client):
    fail_browser_logins(client, "clerk", django_settings.AXES_FAILURE_LIMIT)
    assert browser_login(client, "clerk", PASSWORD).status_code == 429

    # Another user from the same address, and the same user from another address, still log in.
    assert browser_login(Client(), "reviewer", PASSWORD).status_code == 302
    assert browser_login(Client(), "clerk", PASSWORD, REMOTE_ADDR="10.20.30.40").status_code == 302


def test_the_lock_ends_after_the_cool_off(world, client):
    fail_browser_logins(client, "clerk", django_settings.AXES_FAILURE_LIMIT)
    assert browser_login(client, "clerk", PASSWORD).status_code == 429
    # Attempts during the lockout do not restart it: the last recorded failure is 16 minutes old.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    response = browser_login(client, "clerk", PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(world.clerk.pk)


def test_a_successful_login_clears_the_failures(world, client):
    limit = django_settings.AXES_FAILURE_LIMIT
    fail_browser_logins(client, "clerk", limit - 1)
    assert browser_login(client, "clerk", PASSWORD).status_code == 302
    client.logout()
    assert fail_browser_logins(client, "clerk", limit - 1) == [200] * (limit - 1)


def test_admin_login_shares_the_counter(world, client):
    UserFactory(username="root", unit=None, tenant=None, role="", is_superuser=True, is_staff=True)
    fail_browser_logins(client, "root", django_settings.AXES_FAILURE_LIMIT)
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# ---- lockout: API token ----------------------------------------------------------------------------
def test_token_endpoint_locks_with_a_json_429(world, api):
    limit = django_settings.AXES_FAILURE_LIMIT
    codes = [api_login(api, "clerk", "wrong-password").status_code for _ in range(limit - 1)]
    assert codes == [400] * (limit - 1)

    locked = api_login(api, "clerk", "wrong-password")
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)

    right = api_login(api, "clerk", PASSWORD)
    assert right.status_code == 429 and "token" not in right.json()
    assert "分钟后再试" in right.json()["detail"]
    # Another user from the same address is not affected.
    assert "token" in api_login(api, "reviewer", PASSWORD).json()


def test_browser_and_api_failures_count_together(world, client, api):
    limit = django_settings.AXES_FAILURE_LIMIT
    fail_browser_logins(client, "clerk", limit - 1)
    assert api_login(api, "clerk", "wrong-password").status_code == 429
    assert browser_login(client, "clerk", PASSWORD).status_code == 429


# ---- lockout behind a proxy and per address ----------------------------------------------------------
PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # the proxy every client reaches the portal through


def via_proxy(address: str, spoofed: str = "") -> dict:
    forwarded = f"{spoofed}, {address}" if spoofed else address
    return {**PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def test_behind_a_trusted_proxy_one_address_cannot_lock_a_user_out_everywhere(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = Client()
    fail_browser_logins(attacker, "officer", django_settings.AXES_FAILURE_LIMIT, **via_proxy("203.0.113.9"))
    assert browser_login(attacker, "officer", PASSWORD, **via_proxy("203.0.113.9")).status_code == 429
    # The officer, through the same proxy from his own address, still logs in.
    assert browser_login(Client(), "officer", PASSWORD, **via_proxy("198.51.100.7")).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


def test_without_the_proxy_setting_a_forwarded_header_is_not_believed(world, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    fail_browser_logins(Client(), "clerk", django_settings.AXES_FAILURE_LIMIT, **via_proxy("203.0.113.9"))
    # A different forwarded address does not escape the lock of the peer's address.
    assert browser_login(Client(), "clerk", PASSWORD, **via_proxy("198.51.100.7")).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.2"}


def test_an_address_the_client_puts_in_front_is_not_believed(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(django_settings.AXES_FAILURE_LIMIT):
        browser_login(
            Client(), "clerk", "wrong-password", **via_proxy("203.0.113.9", spoofed=f"192.0.2.{number}")
        )
    assert browser_login(Client(), "clerk", PASSWORD, **via_proxy("203.0.113.9")).status_code == 429


def test_one_address_trying_many_user_names_is_locked_as_an_address(world, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    per_name = django_settings.AXES_FAILURE_LIMIT - 1  # never reaches the per-name limit
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for name in ("clerk", "reviewer"):
        assert fail_browser_logins(Client(), name, per_name, **attacker) == [200] * per_name
    # 8 failures from this address: every user name is refused here, the right password too ...
    assert browser_login(Client(), "officer", PASSWORD, **attacker).status_code == 429
    assert api_login(APIClient(), "reader", PASSWORD, **attacker).status_code == 429
    # ... and nowhere else.
    assert browser_login(Client(), "officer", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_the_address_limit_ends_after_the_cool_off(world, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    for name in ("clerk", "reviewer"):
        fail_browser_logins(Client(), name, 2)
    assert browser_login(Client(), "officer", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert browser_login(Client(), "officer", PASSWORD).status_code == 302


# ---- password hashing ------------------------------------------------------------------------------
def test_new_passwords_are_hashed_with_argon2(db, settings):
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = UserFactory(password="Neue-Mima-2026")
    assert user.password.startswith("argon2$")
    assert user.check_password("Neue-Mima-2026")


def test_an_older_hash_is_upgraded_to_argon2_at_login(world, client, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    world.clerk.password = make_password(PASSWORD, hasher="scrypt")
    world.clerk.save()
    assert browser_login(client, "clerk", PASSWORD).status_code == 302
    world.clerk.refresh_from_db()
    assert world.clerk.password.startswith("argon2$")


# ---- headers and the Content-Security-Policy --------------------------------------------------------
def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_pages_carry_the_security_headers(world, client):
    client.force_login(world.clerk)
    response = client.get("/communities/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_api_answers_carry_the_policy_too(world, api):
    response = api.as_user(world.clerk).get("/api/v1/communities/")
    assert directives(response)["default-src"] == ["'self'"]


def test_swagger_page_loosens_styles_only_and_loads_its_script_as_a_file(db, client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    policy = directives(page)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]
    html = page.content.decode()
    assert not re.search(r"<script>", html)
    script_url = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(script_url)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content


TEMPLATES = Path(django_settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=|\shx-on[:-]|javascript:", re.I)


def test_no_template_has_inline_script_or_event_handlers():
    """script-src 'self' refuses them in the browser; they belong in static/js/."""
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER)
        for match in pattern.finditer(path.read_text())
    ]
    assert offenders == []


# ---- cookies ----------------------------------------------------------------------------------------
def test_session_and_csrf_cookies(world, client):
    client.get("/login/")
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    browser_login(client, "clerk", PASSWORD)
    session = client.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert session["max-age"] == 8 * 60 * 60


# ---- API throttling -----------------------------------------------------------------------------------
def test_api_is_throttled_per_user_with_retry_after(world, api, client, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute"})
    clerk = api.as_user(world.clerk)
    assert [clerk.get("/api/v1/communities/").status_code for _ in range(3)] == [200] * 3
    refused = clerk.get("/api/v1/communities/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60

    # Keyed by the user, not the address: another token from the same address still reads...
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(world.reader)[1]}")
    assert reader.get("/api/v1/communities/").status_code == 200
    # ... and the same user's browser session shares the user's allowance.
    client.force_login(world.clerk)
    assert client.get("/api/v1/communities/").status_code == 429


# ---- uploads: by content and size, on every path ---------------------------------------------------
@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


FILE_RECORD_FIELDS = [
    (record_type.slug, field.name)
    for record_type in records.all_types()
    for field in record_type.model._meta.fields
    if field.get_internal_type() == "FileField"
]


def test_every_record_file_field_is_known():
    """The record types with uploads that the two tests below go through; a new one joins them."""
    assert {slug for slug, _ in FILE_RECORD_FIELDS} >= {"meetings", "disclosures", "village-recognitions"}


@pytest.mark.parametrize("slug,field", FILE_RECORD_FIELDS)
def test_record_api_refuses_a_renamed_executable(world, api, media_root, slug, field):
    model = records.get(slug).model
    upload = SimpleUploadedFile("材料.pdf", EXECUTABLE, content_type="application/pdf")
    response = api.as_user(world.clerk).post(
        f"/api/v1/{slug}/", {"community": world.c1.pk, field: upload}, format="multipart"
    )
    assert response.status_code == 400
    assert "不支持的文件类型" in response.json()[field][0]
    assert not model.objects.exists() and stored_files(media_root) == []


@pytest.mark.parametrize("slug,field", FILE_RECORD_FIELDS)
def test_record_page_refuses_an_oversize_file(world, client, settings, media_root, slug, field):
    settings.EVIDENCE_MAX_BYTES = 64
    model = records.get(slug).model
    client.force_login(world.clerk)
    upload = SimpleUploadedFile("材料.pdf", PDF + b"%" * 64, content_type="application/pdf")
    response = client.post(f"/records/{slug}/new/", {"community": world.c1.pk, field: upload})
    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
    assert not model.objects.exists() and stored_files(media_root) == []


@pytest.mark.parametrize(
    "content,max_bytes,message",
    [(EXECUTABLE, None, "不支持的文件类型"), (PDF + b"%" * 64, 64, "文件过大")],
    ids=["renamed-executable", "oversize"],
)
def test_town_recognition_api_checks_the_evidence(
    world, api, settings, media_root, content, max_bytes, message
):
    if max_bytes:
        settings.EVIDENCE_MAX_BYTES = max_bytes
    body = {"unit": world.t1.pk, "year": 2024, "recognised": True}
    upload = SimpleUploadedFile("认定材料.pdf", content, content_type="application/pdf")
    response = api.as_user(world.clerk).post(
        "/api/v1/town-recognitions/", {**body, "evidence": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert message in response.json()["evidence"][0]
    assert not TownRecognition.objects.exists() and stored_files(media_root) == []


@pytest.mark.parametrize(
    "content,max_bytes,message",
    [(EXECUTABLE, None, "不支持的文件类型"), (PDF + b"%" * 64, 64, "文件过大")],
    ids=["renamed-executable", "oversize"],
)
def test_town_recognition_page_checks_the_evidence(
    world, client, settings, media_root, content, max_bytes, message
):
    if max_bytes:
        settings.EVIDENCE_MAX_BYTES = max_bytes
    client.force_login(world.clerk)
    upload = SimpleUploadedFile("认定材料.pdf", content, content_type="application/pdf")
    response = client.post(
        "/towns/recognitions/new/",
        {"unit": world.t1.pk, "year": 2024, "recognised": "on", "evidence": upload},
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not TownRecognition.objects.exists() and stored_files(media_root) == []


@pytest.fixture
def self_check(world, media_root):
    year = timezone.localdate().year
    runs.evaluate_communities([world.c1.pk], year)
    return SelfCheck.objects.get(community=world.c1, year=year)


@pytest.mark.parametrize(
    "content,max_bytes,message",
    [(EXECUTABLE, None, "不支持的文件类型"), (PDF + b"%" * 64, 64, "文件过大")],
    ids=["renamed-executable", "oversize"],
)
def test_indicator_evidence_is_checked_on_page_and_api(
    world, api, client, settings, media_root, self_check, content, max_bytes, message
):
    if max_bytes:
        settings.EVIDENCE_MAX_BYTES = max_bytes
    response = api.as_user(world.clerk).post(
        f"/api/v1/self-checks/{self_check.pk}/evidence/",
        {"indicator": "U-CHARTER", "file": SimpleUploadedFile("居民公约.pdf", content)},
        format="multipart",
    )
    assert response.status_code == 400 and message in response.json()["file"][0]

    client.force_login(world.clerk)
    page = client.post(
        f"/self-checks/{self_check.pk}/evidence/",
        {"indicator": "U-CHARTER", "file": SimpleUploadedFile("居民公约.pdf", content)},
        follow=True,
    )
    assert message in page.content.decode()
    assert not IndicatorEvidence.objects.exists() and stored_files(media_root) == []


@pytest.mark.parametrize(
    "content,max_bytes,message",
    [(EXECUTABLE, None, "请上传 .xlsx 格式"), (b"PK\x03\x04" + b"\x00" * 200, 64, "文件过大")],
    ids=["renamed-executable", "oversize"],
)
def test_excel_import_checks_the_workbook(world, client, settings, content, max_bytes, message):
    if max_bytes:
        settings.EVIDENCE_MAX_BYTES = max_bytes
    client.force_login(world.clerk)
    upload = io.BytesIO(content)
    upload.name = "社区.xlsx"
    response = client.post("/communities/import/", {"workbook": upload})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Job.objects.exists()
