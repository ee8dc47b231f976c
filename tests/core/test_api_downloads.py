"""Files for token clients: every file link the API answers with is an API route that takes the
caller's token, serves the stored bytes with their detected type as an attachment, and keeps the
scope (404 outside it, 401 without credentials)."""

from urllib.parse import urlparse

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from assessments import runs
from assessments.models import IndicatorEvidence, SelfCheck
from core.models import ApiToken
from demo.factories import TownRecognitionFactory
from tests.records.cases_communities_life import make_meeting

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
YEAR = 2025


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user)[1]}")
    return client


def meeting_link(world):
    meeting = make_meeting(world.c1)
    meeting.minutes.save("会议记录<x>.html", ContentFile(PDF))
    return f"/api/v1/meetings/{meeting.pk}/", "minutes"


def recognition_link(world):
    recognition = TownRecognitionFactory(unit=world.t1, year=YEAR)
    recognition.evidence.save("认定.pdf", ContentFile(PDF))
    return f"/api/v1/town-recognitions/{recognition.pk}/", "evidence"


def evidence_link(world):
    runs.evaluate_communities([world.c1.pk], YEAR)
    check = SelfCheck.objects.get(community=world.c1, year=YEAR)
    evidence = IndicatorEvidence(self_check=check, indicator="U-CHARTER", uploaded_by=world.clerk)
    evidence.file.save("公约.pdf", ContentFile(PDF))
    return f"/api/v1/self-checks/{check.pk}/evidence/", "file"


def read_link(client, url, field) -> str:
    """The link the API answers with: the object's field, or the field of the one listed item."""
    body = client.get(url).json()
    return (body[0] if isinstance(body, list) else body)[field]


LINKS = [meeting_link, recognition_link, evidence_link]


@pytest.mark.parametrize("make", LINKS)
def test_a_token_client_follows_the_link_and_gets_the_file(world, make):
    url, field = make(world)
    client = token_client(world.reviewer)
    link = read_link(client, url, field)
    assert urlparse(link).path.startswith("/api/v1/")
    response = client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".pdf" in disposition
    assert "<" not in disposition and ".html" not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("make", LINKS)
def test_the_file_is_served_whatever_the_client_accepts(world, make):
    url, field = make(world)
    client = token_client(world.clerk)
    link = read_link(client, url, field)
    assert client.get(link, HTTP_ACCEPT="application/pdf").status_code == 200


@pytest.mark.parametrize("make", LINKS)
def test_out_of_scope_tokens_get_a_404(world, make):
    url, field = make(world)
    link = read_link(token_client(world.officer), url, field)
    for outsider in (world.clerk_t3, world.other_officer):
        response = token_client(outsider).get(link)
        assert response.status_code == 404
        assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("make", LINKS)
def test_anonymous_callers_get_a_401(world, make):
    url, field = make(world)
    link = read_link(token_client(world.officer), url, field)
    response = APIClient().get(link)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_session_follows_the_same_link(world, client):
    url, field = meeting_link(world)
    link = read_link(token_client(world.clerk), url, field)
    client.force_login(world.clerk)
    response = client.get(link)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_an_empty_or_unknown_file_field_is_a_404(world):
    meeting = make_meeting(world.c1)
    client = token_client(world.clerk)
    assert client.get(f"/api/v1/meetings/{meeting.pk}/files/minutes/").status_code == 404
    assert client.get(f"/api/v1/meetings/{meeting.pk}/files/topic/").status_code == 404
    assert client.get(f"/api/v1/meetings/{meeting.pk}/files/nothing/").status_code == 404


def test_evidence_of_another_self_check_is_not_served_under_this_one(world):
    url, _ = evidence_link(world)
    evidence = IndicatorEvidence.objects.get()
    runs.evaluate_communities([world.c2.pk], YEAR)
    other = SelfCheck.objects.get(community=world.c2, year=YEAR)
    client = token_client(world.reviewer)
    assert client.get(f"/api/v1/self-checks/{other.pk}/evidence/{evidence.pk}/file/").status_code == 404
    assert (
        client.get(f"/api/v1/self-checks/{evidence.self_check_id}/evidence/{evidence.pk}/file/").status_code
        == 200
    )
