"""Designations (称号): issuing (validity, codes), revoking, the API and its filters, the certificate
PDF, the public verification, 示范区 candidates at the city's threshold, the city's settings page
and the renewal reminders."""

import re
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models import SelfCheck
from core import exports
from core.exceptions import Conflict
from demo.factories import CommunityFactory, UserFactory
from designations import titles
from designations.models import Designation
from standards.models import StandardEdition

YEAR = timezone.localdate().year
TODAY = timezone.localdate()
CODE = re.compile(rf"^[{titles.CODE_ALPHABET}]{{{titles.CODE_LENGTH}}}$")


def self_check(community, year=YEAR) -> SelfCheck:
    edition = StandardEdition.objects.current_for(community.unit.tenant_id, community.kind)
    return SelfCheck.objects.create(community=community, year=year, edition=edition)


def award(world, community, title="model", year=YEAR) -> Designation:
    return titles.issue(title=title, year=year, user=world.officer, self_check=self_check(community, year))


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@pytest.fixture
def model_c1(world):
    return award(world, world.c1)


# ---- issue ----------------------------------------------------------------------------------------


class TestIssue:
    def test_a_community_title_with_the_citys_default_validity(self, world, model_c1):
        d = model_c1
        assert (d.community, d.unit, d.scope_unit, d.year, d.title) == (
            world.c1,
            None,
            world.t1,
            YEAR,
            "model",
        )
        assert d.issued_on == TODAY
        assert d.valid_until == titles.add_years(TODAY, 3)  # Tenant.designation_valid_years default
        assert d.issued_by == world.officer and not d.revoked
        assert CODE.match(d.code)
        assert d.self_check.community == world.c1

    def test_the_citys_own_validity_and_an_explicit_one(self, world):
        world.tenant.designation_valid_years = 5
        world.tenant.save()
        assert award(world, world.c1).valid_until == titles.add_years(TODAY, 5)
        explicit = titles.issue(
            title="qualified", year=YEAR, user=world.officer, self_check=self_check(world.c2), valid_years=2
        )
        assert explicit.valid_until == titles.add_years(TODAY, 2)

    @pytest.mark.parametrize(
        "issued,years,until",
        [
            (date(2024, 2, 29), 3, date(2027, 2, 28)),
            (date(2024, 2, 29), 4, date(2028, 2, 29)),
            (date(2025, 3, 1), 3, date(2028, 3, 1)),
            (date(2025, 12, 31), 1, date(2026, 12, 31)),
        ],
    )
    def test_same_month_and_day_feb_29_becomes_feb_28(self, issued, years, until):
        assert titles.add_years(issued, years) == until

    def test_codes_are_random_unambiguous_and_unique(self, world, model_c1, monkeypatch):
        codes = {titles.new_code() for _ in range(500)}
        assert len(codes) == 500 and all(CODE.match(code) for code in codes)
        assert not set("".join(codes)) & set("01OIL")
        # a collision with a stored code is drawn again
        Designation.objects.filter(pk=model_c1.pk).update(code="A" * 12)
        draws = iter("A" * 12 + "B" * 12)
        monkeypatch.setattr(titles.secrets, "choice", lambda alphabet: next(draws))
        assert titles.new_code() == "B" * 12

    @pytest.mark.parametrize("user", ["reviewer", "clerk", "reader", "other_officer"])
    def test_only_the_citys_officer_issues(self, world, user):
        check = self_check(world.c1)
        with pytest.raises(PermissionDenied):
            titles.issue(title="model", year=YEAR, user=getattr(world, user), self_check=check)
        assert not Designation.objects.exists()

    def test_a_title_the_edition_does_not_have_is_bad_input(self, world):
        with pytest.raises(ValidationError) as exc:
            titles.issue(title="standardized", year=YEAR, user=world.officer, self_check=self_check(world.c1))
        assert "title" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            titles.issue(
                title="model_district", year=YEAR, user=world.officer, self_check=self_check(world.c2)
            )
        assert "title" in exc.value.message_dict

    def test_one_designation_per_self_check_until_revoked(self, world, model_c1):
        check = model_c1.self_check
        with pytest.raises(Conflict):
            titles.issue(title="qualified", year=YEAR, user=world.officer, self_check=check)
        titles.revoke(model_c1, world.officer, "复核发现材料不实")
        again = titles.issue(title="qualified", year=YEAR, user=world.officer, self_check=check)
        old = Designation.objects.get(pk=model_c1.pk)
        assert again.self_check == check and old.self_check is None
        assert old.revoked and old.community == world.c1 and old.code != again.code


# ---- revoke ---------------------------------------------------------------------------------------


class TestRevoke:
    def test_revoke_records_day_and_reason(self, world, model_c1):
        titles.revoke(model_c1, world.officer, "  群众反映问题属实  ")
        stored = Designation.objects.get(pk=model_c1.pk)
        assert stored.revoked and stored.revoked_on == TODAY and stored.revoked_reason == "群众反映问题属实"

    @pytest.mark.parametrize("reason", ["", "   ", None])
    def test_a_reason_is_required(self, world, model_c1, reason):
        with pytest.raises(ValidationError) as exc:
            titles.revoke(model_c1, world.officer, reason)
        assert exc.value.message_dict == {"reason": ["请填写撤销原因。"]}
        assert not Designation.objects.get(pk=model_c1.pk).revoked

    def test_twice_is_a_conflict(self, world, model_c1):
        titles.revoke(model_c1, world.officer, "原因")
        with pytest.raises(Conflict):
            titles.revoke(Designation.objects.get(pk=model_c1.pk), world.officer, "再次")
        assert Designation.objects.get(pk=model_c1.pk).revoked_reason == "原因"

    def test_only_the_citys_officer(self, world, model_c1):
        for user in (world.reviewer, world.clerk, world.reader, world.other_officer):
            with pytest.raises(PermissionDenied):
                titles.revoke(model_c1, user, "原因")

    def test_api_revoke(self, world, api, model_c1):
        url = f"/api/v1/designations/{model_c1.pk}/revoke/"
        assert api.as_user(world.other_officer).post(url, {"reason": "x"}).status_code == 404
        assert api.as_user(world.clerk_t3).post(url, {"reason": "x"}).status_code == 404
        assert api.as_user(world.reviewer).post(url, {"reason": "x"}).status_code == 403
        officer = api.as_user(world.officer)
        missing = officer.post(url, {})
        assert missing.status_code == 400 and missing.json() == {"reason": ["请填写撤销原因。"]}
        assert officer.post(url, {"reason": "  "}).status_code == 400
        assert not Designation.objects.get(pk=model_c1.pk).revoked
        done = officer.post(url, {"reason": "材料造假"})
        assert done.status_code == 200 and done.json()["revoked"] is True
        again = officer.post(url, {"reason": "再次"})
        assert again.status_code == 409 and "已被撤销" in again.json()["detail"]

    def test_page_revoke(self, world, client, model_c1):
        client.force_login(world.officer)
        page = client.get(f"/designations/{model_c1.pk}/")
        assert 'data-testid="revoke-form"' in page.content.decode()
        shown_again = client.post(f"/designations/{model_c1.pk}/revoke/", {"reason": ""})
        assert shown_again.status_code == 200 and "请填写撤销原因。" in shown_again.content.decode()
        done = client.post(f"/designations/{model_c1.pk}/revoke/", {"reason": "材料造假"})
        assert done.status_code == 302
        detail = client.get(f"/designations/{model_c1.pk}/").content.decode()
        assert "已撤销" in detail and "材料造假" in detail and 'data-testid="revoke-form"' not in detail
        assert client.post(f"/designations/{model_c1.pk}/revoke/", {"reason": "再次"}).status_code == 409
        client.force_login(world.reviewer)
        assert 'data-testid="revoke-form"' not in client.get(f"/designations/{model_c1.pk}/").content.decode()


# ---- API ------------------------------------------------------------------------------------------


class TestApi:
    def test_fields(self, world, api, model_c1):
        row = api.as_user(world.reader).get(f"/api/v1/designations/{model_c1.pk}/").json()
        assert {
            "id": row["id"],
            "community": row["community"],
            "unit": row["unit"],
            "year": row["year"],
            "title": row["title"],
            "issued_on": row["issued_on"],
            "valid_until": row["valid_until"],
            "revoked": row["revoked"],
            "code": row["code"],
        } == {
            "id": model_c1.pk,
            "community": world.c1.pk,
            "unit": None,
            "year": YEAR,
            "title": "model",
            "issued_on": TODAY.isoformat(),
            "valid_until": model_c1.valid_until.isoformat(),
            "revoked": False,
            "code": model_c1.code,
        }
        assert row["expired"] is False and row["certificate_url"].endswith(
            f"/designations/{model_c1.pk}/certificate/"
        )

    def test_a_model_district_has_its_district_as_unit(self, world, api, model_c1):
        district = titles.issue(title="model_district", year=YEAR, user=world.officer, unit=world.d1)
        row = api.as_user(world.officer).get(f"/api/v1/designations/{district.pk}/").json()
        assert (row["community"], row["unit"], row["title"]) == (None, world.d1.pk, "model_district")

    def test_filters(self, world, api, model_c1):
        c2 = award(world, world.c2, "qualified")
        c3_old = award(world, world.c3, "standardized", YEAR - 1)
        district = titles.issue(title="model_district", year=YEAR, user=world.officer, unit=world.d1)
        client = api.as_user(world.officer)

        def ids(query=""):
            return {row["id"] for row in client.get(f"/api/v1/designations/?{query}").json()["results"]}

        assert ids() == {model_c1.pk, c2.pk, c3_old.pk, district.pk}
        assert ids(f"year={YEAR - 1}") == {c3_old.pk}
        assert ids(f"community={world.c2.pk}") == {c2.pk}
        assert ids("title=model") == {model_c1.pk}
        assert ids("title=model_district") == {district.pk}
        assert ids(f"unit={world.d1.pk}") == {model_c1.pk, c2.pk, district.pk}
        assert ids(f"unit={world.t1.pk}") == {model_c1.pk}
        assert ids(f"unit={world.d2.pk}") == {c3_old.pk}
        bad = client.get(f"/api/v1/designations/?unit={world.other_town.pk}")
        assert bad.status_code == 400 and "unit" in bad.json()
        assert client.get("/api/v1/designations/?title=nonsense").status_code == 400

    def test_scope(self, world, api, model_c1):
        award(world, world.c3, "standardized")
        assert api.as_user(world.reviewer).get("/api/v1/designations/").json()["count"] == 1
        assert api.as_user(world.clerk_t3).get("/api/v1/designations/").json()["count"] == 1
        assert api.as_user(world.other_officer).get("/api/v1/designations/").json()["count"] == 0
        assert api.as_user(world.reader).get("/api/v1/designations/").json()["count"] == 2

    def test_no_writes_but_revoke(self, world, api, model_c1):
        officer = api.as_user(world.officer)
        assert officer.post("/api/v1/designations/", {}).status_code == 403  # no write role, no create route
        assert officer.patch(f"/api/v1/designations/{model_c1.pk}/", {"year": 2020}).status_code == 405
        assert officer.delete(f"/api/v1/designations/{model_c1.pk}/").status_code == 405


# ---- certificate ----------------------------------------------------------------------------------


class TestCertificate:
    def test_api_pdf_names_the_community_title_and_code(self, world, api, model_c1):
        response = api.as_user(world.reader_d1).get(f"/api/v1/designations/{model_c1.pk}/certificate/")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        text = pdf_text(response.content)
        for expected in (
            "幸福社区",
            "东华街道",
            "东城区",
            "示范社区",
            str(YEAR),
            model_c1.code_display,
            "/verify/",
        ):
            assert expected in text, expected
        assert "已撤销" not in text
        # Named as people file it; older clients get an ASCII name by year and code.
        name = f"幸福社区-{YEAR}年示范证书-{model_c1.code_display}.pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="certificate-{YEAR}-{model_c1.code_display}.pdf"; '
            f"filename*=UTF-8''{quote(name, safe='')}"
        )

    def test_accept_pdf_is_negotiated(self, world, api, model_c1):
        response = api.as_user(world.officer).get(
            f"/api/v1/designations/{model_c1.pk}/certificate/", HTTP_ACCEPT="application/pdf"
        )
        assert response.status_code == 200 and response.content.startswith(b"%PDF")

    def test_page_pdf_and_a_revoked_one_is_stamped(self, world, client, model_c1):
        titles.revoke(model_c1, world.officer, "撤销测试")
        client.force_login(world.clerk)
        response = client.get(f"/designations/{model_c1.pk}/certificate/")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert "幸福社区" in text and model_c1.code_display in text and "已撤销" in text

    def test_a_district_certificate(self, world, client, model_c1):
        district = titles.issue(title="model_district", year=YEAR, user=world.officer, unit=world.d1)
        client.force_login(world.officer)
        text = pdf_text(client.get(f"/designations/{district.pk}/certificate/").content)
        assert "东城区" in text and "示范区" in text and district.code_display in text

    def test_outside_scope_is_404(self, world, client, api, model_c1):
        client.force_login(world.clerk_t3)
        assert client.get(f"/designations/{model_c1.pk}/certificate/").status_code == 404
        assert (
            api.as_user(world.other_officer)
            .get(f"/api/v1/designations/{model_c1.pk}/certificate/")
            .status_code
            == 404
        )

    def test_a_village_is_called_a_village_on_its_certificate(self, world, client):
        village = CommunityFactory(unit=world.t3, name="红旗村", kind="village")
        edition = StandardEdition.objects.current_for(world.tenant.pk, "village")
        title = list(edition.levels)[0]
        designation = award(world, village, title=title)
        client.force_login(world.officer)
        text = pdf_text(client.get(f"/designations/{designation.pk}/certificate/").content)
        label = designation.get_title_display()
        assert f"“{label}行政村”" in text and f"{label}社区" not in text

    def test_the_qr_code_opens_the_absolute_verify_address(self, world, rf, model_c1):
        import segno

        request = rf.get("/")
        url = request.build_absolute_uri(model_c1.verify_path)
        assert url == f"http://testserver/verify/{model_c1.code_display}/"
        context = titles.certificate_context(model_c1, url)
        assert context["verify_qr"] == segno.make(url, error="m").svg_data_uri(scale=4, border=2)
        html = render_to_string("designations/certificate.html", context)
        assert f'src="{context["verify_qr"]}"' in html

    def test_the_pdf_carries_the_qr_code(self, world, client, model_c1):
        """The QR code is drawn on the page: the certificate holds more vector paths with it."""
        client.force_login(world.officer)
        with_qr = client.get(f"/designations/{model_c1.pk}/certificate/").content
        from unittest import mock

        with mock.patch.object(titles, "verify_qr", return_value=""):
            without = client.get(f"/designations/{model_c1.pk}/certificate/").content
        assert len(with_qr) > len(without) + 500

    def test_the_template_names_the_cjk_font(self):
        from pathlib import Path

        css = (Path(django_settings.BASE_DIR) / "templates/designations/certificate.html").read_text()
        assert '"Noto Sans CJK SC"' in css


# ---- verification ---------------------------------------------------------------------------------


class TestVerify:
    def test_api_valid(self, db, world, api, model_c1):
        response = api.get(f"/api/v1/verify/{model_c1.code}/")
        assert response.status_code == 200
        body = response.json()
        assert {k: body[k] for k in ("title", "community", "year", "valid_until", "revoked", "expired")} == {
            "title": "model",
            "community": "幸福社区",
            "year": YEAR,
            "valid_until": model_c1.valid_until.isoformat(),
            "revoked": False,
            "expired": False,
        }
        assert body["status"] == "valid"

    def test_api_for_a_model_district(self, world, api, model_c1):
        district = titles.issue(title="model_district", year=YEAR, user=world.officer, unit=world.d1)
        body = api.get(f"/api/v1/verify/{district.code}/").json()
        assert (body["title"], body["community"], body["district"], body["town"]) == (
            "model_district",
            None,
            "东城区",
            None,
        )

    def test_api_accepts_the_printed_grouping_and_lower_case(self, world, api, model_c1):
        typed = model_c1.code_display.lower()
        assert "-" in typed
        assert api.get(f"/api/v1/verify/{typed}/").json()["community"] == "幸福社区"

    def test_api_revoked_and_expired(self, world, api, model_c1):
        titles.revoke(model_c1, world.officer, "原因")
        body = api.get(f"/api/v1/verify/{model_c1.code}/").json()
        assert body["revoked"] is True and body["status"] == "revoked"
        other = award(world, world.c2, "qualified")
        Designation.objects.filter(pk=other.pk).update(valid_until=TODAY - timedelta(days=1))
        body = api.get(f"/api/v1/verify/{other.code}/").json()
        assert body["expired"] is True and body["revoked"] is False and body["status"] == "expired"
        Designation.objects.filter(pk=other.pk).update(valid_until=TODAY)
        assert api.get(f"/api/v1/verify/{other.code}/").json()["expired"] is False  # the last valid day

    def test_api_unknown_is_404_and_ignores_credentials(self, world, api, model_c1):
        assert api.get("/api/v1/verify/AAAABBBBCCCC/").status_code == 404
        assert api.as_user(world.other_officer).get(f"/api/v1/verify/{model_c1.code}/").status_code == 200
        api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
        assert api.get(f"/api/v1/verify/{model_c1.code}/").status_code == 200

    def test_api_is_throttled(self, world, api, model_c1, settings):
        settings.VERIFY_THROTTLE_RATE = "3/minute"
        codes = [api.get(f"/api/v1/verify/AAAABBBBCCC{n}/").status_code for n in range(3)]
        assert codes == [404, 404, 404]
        assert api.get(f"/api/v1/verify/{model_c1.code}/").status_code == 429

    def test_page(self, world, client, model_c1):
        valid = client.get(f"/verify/{model_c1.code}/")
        assert valid.status_code == 200
        html = valid.content.decode()
        assert 'data-status="valid"' in html and "有效" in html and "幸福社区" in html and "示范" in html

        titles.revoke(model_c1, world.officer, "原因")
        html = client.get(f"/verify/{model_c1.code}/").content.decode()
        assert 'data-status="revoked"' in html and "已撤销" in html

        other = award(world, world.c2, "qualified")
        Designation.objects.filter(pk=other.pk).update(valid_until=TODAY - timedelta(days=1))
        html = client.get(f"/verify/{other.code}/").content.decode()
        assert 'data-status="expired"' in html and "已过期" in html and "和平社区" in html

        # The code as printed (grouped), as stored and as typed in lower case all find it; the page
        # shows it grouped, as the certificate and the designation's page do.
        for typed in (model_c1.code_display, model_c1.code, model_c1.code_display.lower()):
            html = client.get(f"/verify/{typed}/").content.decode()
            assert f'data-testid="code">{model_c1.code_display}<' in html, typed
        assert len(model_c1.code_display) == 14 and model_c1.code_display.count("-") == 2

        unknown = client.get("/verify/ZZZZZZZZZZZZ/")
        assert unknown.status_code == 404 and "未找到" in unknown.content.decode()

    def test_page_is_throttled(self, world, client, model_c1, settings):
        settings.VERIFY_THROTTLE_RATE = "2/minute"
        assert client.get(f"/verify/{model_c1.code}/").status_code == 200
        assert client.get(f"/verify/{model_c1.code}/").status_code == 200
        assert client.get(f"/verify/{model_c1.code}/").status_code == 429

    def test_schema_declares_it_public(self, db, client):
        schema = client.get("/api/schema/?format=json").json()
        op = schema["paths"]["/api/v1/verify/{code}/"]["get"]
        assert "security" not in op and {"200", "404", "429"} <= set(op["responses"])
        assert "401" not in op["responses"]
        revoke = schema["paths"]["/api/v1/designations/{id}/revoke/"]["post"]
        assert {"400", "401", "403", "404", "409", "429"} <= set(revoke["responses"])
        certificate = schema["paths"]["/api/v1/designations/{id}/certificate/"]["get"]
        assert "application/pdf" in certificate["responses"]["200"]["content"]


# ---- 示范区 -----------------------------------------------------------------------------------------


def row_of(world, district, year=YEAR):
    return next(
        r for r in titles.model_district_candidates(world.tenant.pk, year) if r["district"] == district
    )


class TestModelDistrict:
    def test_exactly_the_share_passes(self, world, model_c1):
        # D1 holds c1 (示范) and c2: 1 of 2 = 50%, the default threshold.
        row = row_of(world, world.d1)
        assert (row["communities"], row["model"], row["share"], row["reaches"]) == (
            2,
            1,
            Decimal("50.00"),
            True,
        )
        world.tenant.model_district_share = Decimal("50.01")
        world.tenant.save()
        assert row_of(world, world.d1)["reaches"] is False
        with pytest.raises(ValidationError) as exc:
            titles.issue(title="model_district", year=YEAR, user=world.officer, unit=world.d1)
        assert "unit" in exc.value.message_dict and "50%" in exc.value.message_dict["unit"][0]
        world.tenant.model_district_share = Decimal("50")
        world.tenant.save()
        assert titles.issue(title="model_district", year=YEAR, user=world.officer, unit=world.d1).code

    def test_a_third_at_a_third(self, world, model_c1):
        CommunityFactory(unit=world.t2, name="第三社区")
        world.tenant.model_district_share = Decimal("33.33")
        world.tenant.save()
        row = row_of(world, world.d1)
        assert (row["model"], row["communities"], row["share"], row["reaches"]) == (
            1,
            3,
            Decimal("33.33"),
            True,
        )
        world.tenant.model_district_share = Decimal("33.34")
        world.tenant.save()
        assert row_of(world, world.d1)["reaches"] is False

    def test_what_counts(self, world):
        # 精品 counts as 示范; revoked, 合格 and expired earlier years do not; valid earlier years do.
        award(world, world.c3, "premium")
        assert row_of(world, world.d2)["model"] == 1
        c1_old = award(world, world.c1, "model", YEAR - 1)
        c2 = award(world, world.c2, "qualified")
        assert row_of(world, world.d1)["model"] == 1
        Designation.objects.filter(pk=c1_old.pk).update(valid_until=TODAY - timedelta(days=1))
        assert row_of(world, world.d1)["model"] == 0
        Designation.objects.filter(pk=c1_old.pk).update(valid_until=TODAY)
        titles.revoke(c1_old, world.officer, "原因")
        assert row_of(world, world.d1)["model"] == 0
        assert c2.title == "qualified"

    def test_a_district_without_communities_never_reaches(self, world):
        world.tenant.model_district_share = Decimal("0")
        world.tenant.save()
        from demo.factories import DistrictFactory

        empty = DistrictFactory(parent=world.city, name="空区")
        assert row_of(world, empty)["reaches"] is False and row_of(world, empty)["share"] is None
        assert row_of(world, world.d1)["reaches"] is True

    def test_issue_refusals(self, world, model_c1):
        with pytest.raises(PermissionDenied):
            titles.issue(title="model_district", year=YEAR, user=world.reviewer, unit=world.d1)
        with pytest.raises(ValidationError):
            titles.issue(title="model_district", year=YEAR, user=world.officer, unit=world.t1)
        with pytest.raises(ValidationError):
            titles.issue(title="model", year=YEAR, user=world.officer, unit=world.d1)
        first = titles.issue(title="model_district", year=YEAR, user=world.officer, unit=world.d1)
        assert row_of(world, world.d1)["designation"] == first
        with pytest.raises(Conflict):
            titles.issue(title="model_district", year=YEAR, user=world.officer, unit=world.d1)
        assert first.scope_unit == world.d1 and first.community is None

    def test_only_its_own_citys_districts(self, world):
        rows = titles.model_district_candidates(world.tenant.pk, YEAR)
        assert [row["district"] for row in rows] == [world.d1, world.d2]
        with pytest.raises(PermissionDenied):
            titles.issue(title="model_district", year=YEAR, user=world.officer, unit=world.other_town.parent)

    def test_page_lists_and_issues(self, world, client, model_c1):
        client.force_login(world.officer)
        page = client.get(f"/designations/districts/?year={YEAR}")
        html = page.content.decode()
        assert page.status_code == 200 and "东城区" in html and "50%" in html and "授予示范区" in html
        done = client.post("/designations/districts/", {"district": world.d1.pk, "year": YEAR})
        district = Designation.objects.get(unit=world.d1)
        assert done.status_code == 302 and done["Location"] == f"/designations/{district.pk}/"
        refused = client.post(
            "/designations/districts/", {"district": world.d2.pk, "year": YEAR}, follow=True
        )
        assert "低于本市规定" in refused.content.decode()
        foreign = client.post(
            "/designations/districts/", {"district": world.other_town.parent_id, "year": YEAR}
        )
        assert (
            foreign.status_code == 302
            and not Designation.objects.filter(unit=world.other_town.parent).exists()
        )
        assert (
            client.post("/designations/districts/", {"district": world.d1.pk, "year": YEAR}).status_code
            == 409
        )


# ---- pages: register and settings -----------------------------------------------------------------


class TestPages:
    def test_register_of_a_year(self, world, client, model_c1):
        old = award(world, world.c2, "qualified", YEAR - 1)
        client.force_login(world.reviewer)
        assert client.get("/designations/")["Location"] == f"/designations/?year={YEAR}"
        html = client.get(f"/designations/?year={YEAR}").content.decode()
        assert "幸福社区" in html and "和平社区" not in html and model_c1.code_display in html
        html = client.get(f"/designations/?year={YEAR - 1}&title=qualified").content.decode()
        assert "和平社区" in html and old.code_display in html
        assert "示范区评定" not in html  # the city's own page
        client.force_login(world.clerk_t3)
        assert "幸福社区" not in client.get(f"/designations/?year={YEAR}").content.decode()

    def test_navbar_link(self, world, client):
        client.force_login(world.clerk)
        assert 'href="/designations/">称号</a>' in client.get("/").content.decode()

    def test_excel_export_follows_scope_and_filters(self, world, model_c1):
        award(world, world.c3, "standardized")
        spec = exports.get("designations")
        rows = list(exports.export_queryset(spec, world.reviewer, {"year": str(YEAR)}))
        assert rows == [model_c1]
        values = [value(model_c1) for _, value in spec.columns]
        assert "幸福社区" in values and "东城区" in values and "有效" in values and model_c1.code in values
        assert len(exports.export_queryset(spec, world.officer, {"title": "standardized"})) == 1

    def test_settings_form(self, world, client):
        client.force_login(world.officer)
        assert client.get("/designations/settings/").status_code == 200
        bad = client.post(
            "/designations/settings/", {"designation_valid_years": "0", "model_district_share": "101"}
        )
        html = bad.content.decode()
        assert bad.status_code == 200 and "有效期至少1年。" in html and "比例须在0至100之间。" in html
        bad = client.post(
            "/designations/settings/", {"designation_valid_years": "", "model_district_share": "abc"}
        )
        html = bad.content.decode()
        assert "请填写有效期年数。" in html and "请填写数字" in html
        ok = client.post(
            "/designations/settings/", {"designation_valid_years": "4", "model_district_share": "62.5"}
        )
        assert ok.status_code == 302
        world.tenant.refresh_from_db()
        assert world.tenant.designation_valid_years == 4 and world.tenant.model_district_share == Decimal(
            "62.5"
        )
        world.other_tenant.refresh_from_db()
        assert world.other_tenant.designation_valid_years == 3

    def test_settings_are_the_city_officers(self, world, client):
        for user in (world.reviewer, world.clerk, world.reader):
            client.force_login(user)
            assert client.get("/designations/settings/").status_code == 403
            assert client.get("/designations/districts/").status_code == 403


# ---- renewal reminders ----------------------------------------------------------------------------


class TestRenewalReminders:
    @pytest.fixture
    def addressed(self, world):
        world.officer.email = "officer@example.cn"
        world.officer.save()
        world.reviewer.email = "reviewer@example.cn"
        world.reviewer.save()
        UserFactory(username="officer_no_mail", unit=world.city, role="city_officer")
        world.other_officer.email = "other@example.cn"
        world.other_officer.save()

    def test_sent_once_to_the_city_and_the_district(self, world, addressed, model_c1, settings):
        settings.DESIGNATION_RENEWAL_DAYS = 90
        soon = award(world, world.c2, "qualified")
        later = award(world, world.c3, "standardized")
        Designation.objects.filter(pk=model_c1.pk).update(valid_until=TODAY + timedelta(days=90))
        Designation.objects.filter(pk=soon.pk).update(valid_until=TODAY + timedelta(days=10))
        Designation.objects.filter(pk=later.pk).update(valid_until=TODAY + timedelta(days=91))

        assert titles.send_renewal_reminders() == 2
        by_recipient = {tuple(message.to): message for message in mail.outbox}
        assert set(by_recipient) == {("officer@example.cn",), ("reviewer@example.cn",)}
        body = by_recipient[("reviewer@example.cn",)].body
        assert "幸福社区" in body and "和平社区" in body and "红光社区" not in body
        assert "2项称号" in by_recipient[("officer@example.cn",)].subject
        reminded = set(Designation.objects.filter(renewal_reminded_on=TODAY).values_list("pk", flat=True))
        assert reminded == {model_c1.pk, soon.pk}
        from core.models import Notification

        inbox = Notification.objects.filter(recipient=world.reviewer)
        assert [n.title for n in inbox] == ["2项称号即将到期,请安排复核或续期"]
        assert "幸福社区" in inbox[0].body and inbox[0].link == "/designations/"

        assert titles.send_renewal_reminders() == 0
        assert titles.send_renewal_reminders(TODAY + timedelta(days=1)) == 1  # now `later` is due
        assert mail.outbox[-1].to == ["officer@example.cn"]  # D2 has no reviewer

    def test_revoked_and_expired_are_not_reminded(self, world, addressed, model_c1):
        gone = award(world, world.c2, "qualified")
        titles.revoke(model_c1, world.officer, "原因")
        Designation.objects.filter(pk=model_c1.pk).update(valid_until=TODAY + timedelta(days=5))
        Designation.objects.filter(pk=gone.pk).update(valid_until=TODAY - timedelta(days=1))
        assert titles.send_renewal_reminders() == 0 and not mail.outbox

    def test_nobody_to_tell_leaves_it_for_later(self, world, model_c1):
        Designation.objects.filter(pk=model_c1.pk).update(valid_until=TODAY + timedelta(days=5))
        assert titles.send_renewal_reminders() == 0
        assert Designation.objects.get(pk=model_c1.pk).renewal_reminded_on is None

    def test_the_beat_task(self, world, addressed, model_c1):
        from designations.tasks import designation_renewal_reminders

        Designation.objects.filter(pk=model_c1.pk).update(valid_until=TODAY + timedelta(days=5))
        designation_renewal_reminders()
        assert len(mail.outbox) == 2
        entry = django_settings.CELERY_BEAT_SCHEDULE["designation-renewal-reminders"]
        assert (
            entry["task"]
            == designation_renewal_reminders.name
            == "designations.tasks.designation_renewal_reminders"
        )
        assert django_settings.DESIGNATION_RENEWAL_DAYS == 90
