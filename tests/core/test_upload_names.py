"""Uploads are stored under the extension of their detected type, whatever the caller named them, and
served by that type: as an attachment under a safe name, with nosniff. Files stored earlier under a
misleading extension are served the same way."""

import html.parser
import io
import re

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments import runs, workflow
from assessments.models import IndicatorEvidence, SelfCheck, SelfCheckEvent
from communities.models import Meeting, TownRecognition
from core.fields import safe_stem, typed_name
from core.models import Job
from tests.records.cases_communities_life import make_meeting

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"
HOSTILE = "pwn<script>.html"
YEAR = timezone.localdate().year
MEETING = {"kind": "residents", "held_on": f"{YEAR - 1}-12-20", "topic": "年终总结", "attendees": "35"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def check(world):
    runs.evaluate_communities([world.c1.pk], YEAR)
    return SelfCheck.objects.get(community=world.c1, year=YEAR)


def base(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def assert_stored_as_pdf(name: str):
    assert re.fullmatch(r"pwnscript(_\w+)?\.pdf", base(name)), name


def assert_served(response, body: bytes, content_type: str, filename: str):
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == body
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"


# ---- the name ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name,kind,expected",
    [
        (HOSTILE, "application/pdf", "pwnscript.pdf"),
        ("../../etc/passwd", "image/png", "passwd.png"),
        ("C:\\Users\\x\\照片.PNG", "image/jpeg", "照片.jpg"),
        ("a\x00b\u202ec\"'&.docx", "application/pdf", "abc.pdf"),
        (
            "报告.final.doc",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "报告.final.docx",
        ),
        ("<>.pdf", "application/pdf", "材料.pdf"),
        (".htaccess", "application/pdf", "htaccess.pdf"),
        ("x.exe", "application/x-dosexec", "x.bin"),
        ("长" * 300 + ".pdf", "application/pdf", "长" * 80 + ".pdf"),
    ],
)
def test_the_stored_name_is_sanitised_and_carries_the_detected_types_extension(name, kind, expected):
    assert typed_name(name, kind) == expected
    assert not set(safe_stem(name)) & set("<>\"'&/\\")


# ---- storing, on every upload path ---------------------------------------------------------------
def test_record_page_stores_pdf_bytes_named_html_as_pdf(world, client):
    client.force_login(world.clerk)
    upload = SimpleUploadedFile(HOSTILE, PDF, content_type="text/html")
    response = client.post("/records/meetings/new/", {**MEETING, "community": world.c1.pk, "minutes": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get()
    assert_stored_as_pdf(meeting.minutes.name)
    assert "<" not in meeting.minutes.name

    served = client.get(f"/records/meetings/{meeting.pk}/files/minutes/")
    assert_served(served, PDF, "application/pdf", base(meeting.minutes.name))


def test_record_api_stores_pdf_bytes_named_html_as_pdf(world, api):
    upload = SimpleUploadedFile(HOSTILE, PDF, content_type="text/html")
    response = api.as_user(world.clerk).post(
        "/api/v1/meetings/", {**MEETING, "community": world.c1.pk, "minutes": upload}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert_stored_as_pdf(Meeting.objects.get().minutes.name)


def test_town_recognition_api_stores_a_jpeg_named_png_as_jpg(world, api, client):
    upload = SimpleUploadedFile("认定<材料>.png", JPEG, content_type="image/png")
    response = api.as_user(world.clerk).post(
        "/api/v1/town-recognitions/",
        {"unit": world.t1.pk, "year": 2024, "recognised": True, "evidence": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    recognition = TownRecognition.objects.get()
    assert re.fullmatch(r"认定材料(_\w+)?\.jpg", base(recognition.evidence.name))

    client.force_login(world.clerk)
    served = client.get(f"/towns/recognitions/{recognition.pk}/evidence/")
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == JPEG
    assert served["Content-Type"] == "image/jpeg"
    # A Chinese name goes in the RFC 5987 form, after an ASCII name for clients that know only that.
    assert served["Content-Disposition"].startswith(
        "attachment; filename=\"download.jpg\"; filename*=UTF-8''"
    )
    assert served["Content-Disposition"].endswith(".jpg")
    assert served["X-Content-Type-Options"] == "nosniff"


def test_evidence_step_stores_pdf_bytes_named_html_as_pdf_on_api_and_page(world, api, client, check):
    response = api.as_user(world.clerk).post(
        f"/api/v1/self-checks/{check.pk}/evidence/",
        {"indicator": "U-CHARTER", "file": SimpleUploadedFile(HOSTILE, PDF)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    client.force_login(world.clerk)
    client.post(
        f"/self-checks/{check.pk}/evidence/",
        {"indicator": "U-CHARTER", "file": SimpleUploadedFile(HOSTILE, PDF)},
    )
    stored = list(IndicatorEvidence.objects.order_by("pk"))
    assert len(stored) == 2
    for evidence in stored:
        assert_stored_as_pdf(evidence.file.name)
        assert "<" not in evidence.filename
    # The audit trail names the stored file, not the caller's.
    assert all("<" not in str(event.details) for event in SelfCheckEvent.objects.all())

    served = client.get(f"/self-checks/evidence/{stored[0].pk}/")
    assert_served(served, PDF, "application/pdf", stored[0].filename)


def test_reused_evidence_is_stored_typed_and_a_reused_legacy_name_is_served_safely(world, client, check):
    last = SelfCheck.objects.create(community=world.c1, year=YEAR - 1, edition=check.edition)
    typed = IndicatorEvidence.objects.create(
        self_check=last, indicator="U-CHARTER", file=SimpleUploadedFile(HOSTILE, PDF), uploaded_by=world.clerk
    )
    assert_stored_as_pdf(typed.file.name)
    legacy = IndicatorEvidence.objects.create(
        self_check=last,
        indicator="U-CHARTER",
        file=SimpleUploadedFile("旧.pdf", PDF),
        uploaded_by=world.clerk,
    )
    IndicatorEvidence.objects.filter(pk=legacy.pk).update(
        file=default_storage.save("evidence/2020/01/pwn<script>.html", ContentFile(PDF))
    )
    copies = workflow.reuse_evidence(world.clerk, check.pk, "U-CHARTER")
    assert len(copies) == 2
    client.force_login(world.clerk)
    for copy in copies:
        served = client.get(f"/self-checks/evidence/{copy.pk}/")
        assert_served(served, PDF, "application/pdf", typed_name(copy.file.name, "application/pdf"))
        assert served["Content-Disposition"] in (
            f'attachment; filename="{base(typed.file.name)}"',
            'attachment; filename="pwnscript.pdf"',
        )


def test_excel_import_stores_the_workbook_under_a_safe_xlsx_name(world, client, monkeypatch):
    monkeypatch.setattr("communities.views.dispatch", lambda job, task: None)
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    upload = SimpleUploadedFile("<社区>.html", buffer.getvalue())
    client.force_login(world.clerk)
    response = client.post("/communities/import/", {"workbook": upload, "check_only": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = Job.objects.get(kind=Job.Kind.IMPORT)
    assert re.fullmatch(r"社区(_\w+)?\.xlsx", base(job.params["file"]))
    assert job.params["name"] == "社区.xlsx"


# ---- files stored before ----------------------------------------------------------------------
def test_a_legacy_html_file_is_served_as_an_attachment_of_its_detected_type(world, client):
    meeting = make_meeting(world.c1)
    Meeting.objects.filter(pk=meeting.pk).update(
        minutes=default_storage.save("evidence/2020/01/pwn<script>.html", ContentFile(PDF))
    )
    client.force_login(world.clerk)
    served = client.get(f"/records/meetings/{meeting.pk}/files/minutes/")
    assert_served(served, PDF, "application/pdf", "pwnscript.pdf")


def test_a_legacy_file_of_no_accepted_type_is_an_opaque_download(world, client):
    meeting = make_meeting(world.c1)
    page = b"<html><script>alert(1)</script></html>"
    Meeting.objects.filter(pk=meeting.pk).update(
        minutes=default_storage.save("evidence/2020/01/page.html", ContentFile(page))
    )
    client.force_login(world.clerk)
    served = client.get(f"/records/meetings/{meeting.pk}/files/minutes/")
    assert_served(served, page, "application/octet-stream", "page.bin")


# ---- the self-check page's title ------------------------------------------------------------------
class _Title(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.inside, self.text, self.tags_inside = False, "", []

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.inside = True
        elif self.inside:
            self.tags_inside.append(tag)

    def handle_endtag(self, tag):
        if tag == "title":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.text += data


def test_the_self_check_title_is_plain_text_and_the_events_table_shows_once(world, client, check):
    client.force_login(world.clerk)
    page = client.get(f"/self-checks/{check.pk}/").content.decode()
    raw_title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "<" not in raw_title and "&lt;" not in raw_title
    parsed = _Title()
    parsed.feed(page)
    assert parsed.tags_inside == []
    assert world.c1.name in parsed.text and str(YEAR) in parsed.text
    assert page.count('data-testid="events"') == 1
    body = page.split("<body", 1)[1]
    assert body.count('data-testid="events"') == 1 and body.count(">流程记录</h2>") == 1
