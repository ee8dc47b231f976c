"""Evidence for evidence indicators: the town files documents while the self-check is its own, the
district reads them when judging; uploads are checked by content; last year's may be filed again,
but its judgement is not carried over."""

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
    assert SelfCheckEvent.objects.filter(self_check=check, step="evidence").count() == 1


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
