"""Evidence uploads on community-life records: stored through the page form and the API (multipart),
judged by their bytes, limited in size, and served only through the scoped `record-file` view."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from communities.models import Disclosure, Meeting, VillageRecognition
from tests.records.cases_communities_life import as_kind, make_meeting

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
PLAIN_TEXT = "会议记录:居民代表一致同意。".encode()
LAST_YEAR = datetime.date.today().year - 1

MEETING = {
    "kind": "residents",
    "held_on": f"{LAST_YEAR}-12-20",
    "topic": "年终工作总结",
    "attendees": "35",
    "decisions": "通过年度工作报告。",
}


def pdf(name="minutes.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def download(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


# ---- storing ---------------------------------------------------------------------------------
def test_page_form_stores_the_minutes_and_the_warning_goes(world, client, media_root):
    client.force_login(world.clerk)
    response = client.post(
        "/records/meetings/new/", {**MEETING, "community": world.c1.pk, "minutes": pdf()}, follow=True
    )
    meeting = Meeting.objects.get()
    assert response.redirect_chain[-1][0] == f"/records/meetings/{meeting.pk}/"
    assert meeting.minutes.name.endswith(".pdf")
    assert meeting.minutes.read() == PDF
    assert [path.read_bytes() for path in stored_files(media_root)] == [PDF]
    assert "未上传会议记录" not in response.content.decode()
    # the detail page links the file through the scoped view
    assert f"/records/meetings/{meeting.pk}/files/minutes/" in response.content.decode()


def test_api_multipart_stores_the_minutes_and_returns_the_scoped_link(world, api):
    response = api.as_user(world.clerk).post(
        "/api/v1/meetings/", {**MEETING, "community": world.c1.pk, "minutes": pdf()}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["minutes"].endswith(f"/api/v1/meetings/{body['id']}/files/minutes/")
    assert body["warnings"] == []
    assert Meeting.objects.get().minutes.read() == PDF


def test_api_multipart_patch_adds_minutes_to_an_existing_meeting(world, api):
    meeting = make_meeting(world.c1)
    assert "未上传会议记录。" in meeting.warnings
    response = api.as_user(world.clerk).patch(
        f"/api/v1/meetings/{meeting.pk}/", {"minutes": pdf()}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert response.json()["warnings"] == []
    meeting.refresh_from_db()
    assert meeting.minutes.read() == PDF


# ---- serving ---------------------------------------------------------------------------------
@pytest.fixture
def meeting_with_minutes(world):
    return make_meeting(world.c1, minutes=pdf())


@pytest.mark.parametrize("user", ["clerk", "reviewer", "officer", "reader"])
def test_the_file_streams_to_users_in_scope(world, client, meeting_with_minutes, user):
    client.force_login(getattr(world, user))
    response, body = download(client, f"/records/meetings/{meeting_with_minutes.pk}/files/minutes/")
    assert response.status_code == 200
    assert body == PDF
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("user", ["clerk_t3", "other_officer"])
def test_the_file_is_404_outside_the_scope(world, client, meeting_with_minutes, user):
    client.force_login(getattr(world, user))
    response, body = download(client, f"/records/meetings/{meeting_with_minutes.pk}/files/minutes/")
    assert response.status_code == 404
    assert body == b""


def test_anonymous_users_are_sent_to_login(world, client, meeting_with_minutes):
    response = client.get(f"/records/meetings/{meeting_with_minutes.pk}/files/minutes/")
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("field", ["decisions", "topic", "community", "nonexistent"])
def test_only_file_fields_are_served(world, client, meeting_with_minutes, field):
    client.force_login(world.clerk)
    assert client.get(f"/records/meetings/{meeting_with_minutes.pk}/files/{field}/").status_code == 404


def test_a_meeting_without_minutes_has_no_file(world, client):
    meeting = make_meeting(world.c1)
    client.force_login(world.clerk)
    assert client.get(f"/records/meetings/{meeting.pk}/files/minutes/").status_code == 404


# ---- refusing --------------------------------------------------------------------------------
BAD_CONTENT = [
    pytest.param(EXECUTABLE, "application/x-dosexec", id="executable"),
    pytest.param(PLAIN_TEXT, "text/plain", id="plain-text"),
]


@pytest.mark.parametrize("content,detected", BAD_CONTENT)
def test_page_form_refuses_a_renamed_file_by_its_content(world, client, media_root, content, detected):
    client.force_login(world.clerk)
    response = client.post(
        "/records/meetings/new/", {**MEETING, "community": world.c1.pk, "minutes": pdf(content=content)}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["minutes"]
    assert errors["minutes"][0].startswith(f"不支持的文件类型({detected})")
    assert "请上传 PDF" in errors["minutes"][0]
    assert errors["minutes"][0] in response.content.decode()
    assert not Meeting.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("content,detected", BAD_CONTENT)
def test_api_refuses_a_renamed_file_by_its_content(world, api, media_root, content, detected):
    response = api.as_user(world.clerk).post(
        "/api/v1/meetings/",
        {**MEETING, "community": world.c1.pk, "minutes": pdf(content=content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["minutes"]
    assert response.json()["minutes"][0].startswith(f"不支持的文件类型({detected})")
    assert not Meeting.objects.exists()
    assert stored_files(media_root) == []


def test_api_patch_with_a_bad_file_keeps_the_good_one(world, api, meeting_with_minutes):
    response = api.as_user(world.clerk).patch(
        f"/api/v1/meetings/{meeting_with_minutes.pk}/",
        {"minutes": pdf(content=EXECUTABLE)},
        format="multipart",
    )
    assert response.status_code == 400 and "minutes" in response.json()
    meeting_with_minutes.refresh_from_db()
    assert meeting_with_minutes.minutes.read() == PDF
    assert meeting_with_minutes.history.count() == 1


def test_page_form_refuses_a_file_over_the_size_limit(world, client, settings, media_root):
    settings.EVIDENCE_MAX_BYTES = 64
    client.force_login(world.clerk)
    response = client.post("/records/meetings/new/", {**MEETING, "community": world.c1.pk, "minutes": pdf()})
    assert response.status_code == 200
    message = response.context["form"].errors["minutes"][0]
    assert message.startswith("文件过大") and "上限为" in message
    assert not Meeting.objects.exists()
    assert stored_files(media_root) == []


def test_api_refuses_a_file_over_the_size_limit(world, api, settings, media_root):
    settings.EVIDENCE_MAX_BYTES = 64
    response = api.as_user(world.clerk).post(
        "/api/v1/meetings/", {**MEETING, "community": world.c1.pk, "minutes": pdf()}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["minutes"][0].startswith("文件过大")
    assert not Meeting.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_at_the_size_limit_is_accepted(world, api, settings):
    settings.EVIDENCE_MAX_BYTES = len(PDF)
    response = api.as_user(world.clerk).post(
        "/api/v1/meetings/", {**MEETING, "community": world.c1.pk, "minutes": pdf()}, format="multipart"
    )
    assert response.status_code == 201, response.content


# ---- the other evidence fields of community life ---------------------------------------------
def _disclosure_body(world):
    return {
        "community": world.c1.pk,
        "published_on": f"{LAST_YEAR}-07-01",
        "topics": ["finances"],
        "channel": "board",
    }


def _recognition_body(world):
    return {"community": as_kind(world.c1, "village").pk, "year": LAST_YEAR, "recognised": "true"}


@pytest.mark.parametrize(
    "slug,model,field,make_body",
    [
        ("disclosures", Disclosure, "evidence", _disclosure_body),
        ("village-recognitions", VillageRecognition, "evidence", _recognition_body),
    ],
)
def test_other_evidence_fields_store_serve_and_refuse(world, api, client, slug, model, field, make_body):
    clerk = api.as_user(world.clerk)
    refused = clerk.post(
        f"/api/v1/{slug}/", {**make_body(world), field: pdf("photo.pdf", EXECUTABLE)}, format="multipart"
    )
    assert refused.status_code == 400 and field in refused.json()
    assert not model.objects.exists()

    created = clerk.post(
        f"/api/v1/{slug}/", {**make_body(world), field: pdf("photo.pdf")}, format="multipart"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()[field].endswith(f"/api/v1/{slug}/{pk}/files/{field}/")
    assert created.json()["warnings"] == []

    client.force_login(world.reviewer)
    response, body = download(client, f"/records/{slug}/{pk}/files/{field}/")
    assert response.status_code == 200 and body == PDF
    client.force_login(world.clerk_t3)
    assert client.get(f"/records/{slug}/{pk}/files/{field}/").status_code == 404
