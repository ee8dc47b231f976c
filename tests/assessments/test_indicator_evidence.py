"""Evidence for evidence indicators: the town files documents while the self-check is its own, the
district reads them when judging; uploads are checked by content; last year's may be filed again,
but its judgement is not carried over."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments import runs
from assessments.models import IndicatorEvidence, SelfCheck, SelfCheckEvent

YEAR = timezone.localdate().year
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def check(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    runs.evaluate_communities([world.c1.pk], YEAR)
    return SelfCheck.objects.get(community=world.c1, year=YEAR)


def upload(client, check, name="居民公约.pdf", content=PDF, indicator="U-CHARTER"):
    return client.post(
        f"/api/v1/self-checks/{check.pk}/evidence/",
        {"indicator": indicator, "file": SimpleUploadedFile(name, content), "description": "居民会议通过"},
        format="multipart",
    )


@pytest.mark.django_db
def test_clerk_files_evidence_and_the_reviewer_downloads_it(world, api, client, check):
    response = upload(api.as_user(world.clerk), check)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["indicator"], body["description"]) == ("U-CHARTER", "居民会议通过")

    listed = api.as_user(world.reviewer).get(f"/api/v1/self-checks/{check.pk}/evidence/").json()
    assert [item["id"] for item in listed] == [body["id"]]
    client.force_login(world.reviewer)
    download = client.get(f"/self-checks/evidence/{body['id']}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    page = client.get(f"/self-checks/{check.pk}/").content.decode()
    assert "居民公约.pdf" in page

    client.force_login(world.clerk_t3)
    assert client.get(f"/self-checks/evidence/{body['id']}/").status_code == 404
    (event,) = SelfCheckEvent.objects.filter(self_check=check, step="evidence")
    # An upload is not the self-check's submission: the history says 上传, not 提交.
    assert event.get_step_display() == "上传佐证材料"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "name", "content", "indicator", "code", "field"),
    [
        ("clerk", "伪装.pdf", b"MZ\x90\x00 not a pdf", "U-CHARTER", 400, "file"),
        ("clerk", "公约.pdf", PDF, "U-AREA", 400, "indicator"),
        ("reviewer", "公约.pdf", PDF, "U-CHARTER", 403, None),
        ("clerk_t3", "公约.pdf", PDF, "U-CHARTER", 404, None),
    ],
)
def test_refused_uploads_change_nothing(world, api, check, user, name, content, indicator, code, field):
    response = upload(api.as_user(getattr(world, user)), check, name, content, indicator)
    assert response.status_code == code, response.content
    if field:
        assert list(response.json()) == [field]
    assert not IndicatorEvidence.objects.exists()


@pytest.mark.django_db
def test_no_filing_once_submitted(world, api, check):
    SelfCheck.objects.filter(pk=check.pk).update(status=SelfCheck.Status.SUBMITTED)
    assert upload(api.as_user(world.clerk), check).status_code == 409
    assert not IndicatorEvidence.objects.exists()


@pytest.mark.django_db
def test_last_year_s_evidence_is_offered_again_but_not_its_judgement(world, client, check):
    edition = check.edition
    last = SelfCheck.objects.create(
        community=world.c1,
        year=YEAR - 1,
        edition=edition,
        judgements={"U-CHARTER": {"passed": True, "note": "去年"}},
    )
    old = IndicatorEvidence.objects.create(
        self_check=last,
        indicator="U-CHARTER",
        file=SimpleUploadedFile("旧公约.pdf", PDF),
        uploaded_by=world.clerk,
    )
    client.force_login(world.clerk)
    page = client.get(f"/self-checks/{check.pk}/").content.decode()
    assert "沿用去年材料" in page

    client.post(f"/self-checks/{check.pk}/reuse-evidence/", {"indicator": "U-CHARTER"})

    copy = IndicatorEvidence.objects.get(self_check=check)
    assert (copy.reused_from, copy.file.name) == (old, old.file.name)
    check.refresh_from_db()
    assert "U-CHARTER" not in check.judgements
    charter = next(r for r in check.results if r["indicator"] == "U-CHARTER")
    assert charter["passed"] is None


@pytest.mark.django_db
def test_clerk_withdraws_a_file_while_the_self_check_is_open(world, api, client, check):
    evidence_id = upload(api.as_user(world.clerk), check).json()["id"]
    client.force_login(world.reader)
    assert client.post(f"/self-checks/evidence/{evidence_id}/remove/").status_code == 403
    client.force_login(world.clerk)
    assert client.post(f"/self-checks/evidence/{evidence_id}/remove/").status_code == 302
    assert not IndicatorEvidence.objects.exists()


@pytest.mark.django_db
def test_the_page_uploads_a_file_in_its_row_with_htmx(world, client, check):
    client.force_login(world.clerk)
    html = client.get(f"/self-checks/{check.pk}/").content.decode()
    row = html.split('id="indicator-U-CHARTER"', 1)[1].split("</tr>", 1)[0]
    assert 'hx-post="' in row and 'hx-encoding="multipart/form-data"' in row

    response = client.post(
        f"/self-checks/{check.pk}/evidence/",
        {"indicator": "U-CHARTER", "file": SimpleUploadedFile("居民公约.pdf", PDF), "description": "公约"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment and fragment.lstrip().startswith('<tr id="indicator-U-CHARTER"')
    assert "居民公约.pdf" in fragment and "材料已上传。" in fragment and "材料已提交" not in fragment
    # The score header, the gap card and the workflow card come along, out of band.
    for card in ("score-header", "gaps", "workflow"):
        assert re.search(rf'id="{card}"[^>]*hx-swap-oob="true"', fragment), card
    assert IndicatorEvidence.objects.filter(self_check=check, indicator="U-CHARTER").count() == 1

    # A refused file is said in the row and stores nothing.
    refused = client.post(
        f"/self-checks/{check.pk}/evidence/",
        {"indicator": "U-CHARTER", "file": SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00 not a pdf")},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 200 and 'data-testid="judge-error"' in refused.content.decode()
    assert IndicatorEvidence.objects.filter(self_check=check).count() == 1

    # Withdrawing the file answers in place too.
    evidence = IndicatorEvidence.objects.get(self_check=check)
    withdrawn = client.post(f"/self-checks/evidence/{evidence.pk}/remove/", HTTP_HX_REQUEST="true")
    assert withdrawn.status_code == 200 and "材料已撤回。" in withdrawn.content.decode()
    assert "尚无材料" in withdrawn.content.decode() and not IndicatorEvidence.objects.exists()


@pytest.mark.django_db
def test_without_htmx_an_upload_posts_and_returns_to_its_row(world, client, check):
    client.force_login(world.clerk)
    response = client.post(
        f"/self-checks/{check.pk}/evidence/",
        {"indicator": "U-CHARTER", "file": SimpleUploadedFile("居民公约.pdf", PDF)},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/self-checks/{check.pk}/#indicator-U-CHARTER"
    assert "材料已上传。" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_an_item_without_a_file_is_the_town_s_to_fix_until_uploaded(world, client, check):
    """The gap list puts an evidence item with no file among what the town can fix; once every such
    file is uploaded, nothing of it is left there: the items wait for review, apart."""
    evidence_codes = list(
        check.edition.indicators.filter(check_kind="evidence").values_list("code", flat=True)
    )
    summary = check.gap_summary
    town = {gap["indicator"] for gap in summary["town"]}
    assert set(evidence_codes) <= town
    assert not {gap["indicator"] for gap in summary["pending"]} & set(evidence_codes)
    charter = next(gap for gap in summary["town"] if gap["indicator"] == "U-CHARTER")
    assert "尚未上传材料" in charter["text"]

    client.force_login(world.clerk)
    for code in evidence_codes:
        client.post(
            f"/self-checks/{check.pk}/evidence/",
            {"indicator": code, "file": SimpleUploadedFile(f"{code}.pdf", PDF)},
            HTTP_HX_REQUEST="true",
        )
    fresh = SelfCheck.objects.get(pk=check.pk).gap_summary
    assert not {gap["indicator"] for gap in fresh["town"]} & set(evidence_codes)
    assert set(evidence_codes) <= {gap["indicator"] for gap in fresh["pending"]}
    html = client.get(f"/self-checks/{check.pk}/").content.decode()
    town_group = html.partition('data-testid="gaps-town"')[2].split('data-testid="gaps-', 1)[0]
    assert "尚未上传材料" not in html and "U-CHARTER" not in town_group
