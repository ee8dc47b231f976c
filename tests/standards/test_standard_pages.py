"""The standards pages: list, detail by category with readable thresholds, and the city officer's
copy → edit → publish workflow in the browser, with docs/api.md's refusal order (404 → 403 → 409)."""

import pytest
from django.urls import reverse

from demo.factories import shipped_edition
from standards import editing
from standards import shipped as shipped_data
from standards.models import StandardEdition

USERS = ["clerk", "clerk_t3", "reviewer", "officer", "reader", "reader_d1", "other_officer"]
NOT_OFFICERS = ["clerk", "clerk_t3", "reviewer", "reader", "reader_d1"]
# How a shipped auto item is scored on the 评分表; the editor posts these with every item.
AUTO_SHEET = {"method": "system", "scoring": "all_or_nothing"}


# The items of the shipped urban sheet a draft copies.
URBAN_ITEMS = len(shipped_data.load("U")["indicators"])


@pytest.fixture
def draft(world):
    return editing.copy_edition(shipped_edition(), world.officer)


def as_user(client, user):
    client.force_login(user)
    return client


def field_errors(response, field):
    return [str(error) for error in response.context["form"].errors.get(field, [])]


class TestReading:
    def test_anonymous_is_sent_to_login(self, db, client):
        assert client.get(reverse("standard-list")).status_code == 302

    @pytest.mark.parametrize("who", USERS)
    def test_everybody_reads_the_shipped_editions(self, world, client, who):
        client = as_user(client, getattr(world, who))
        listing = client.get(reverse("standard-list"))
        assert listing.status_code == 200
        assert {e.code for e in listing.context["object_list"]} == {"U", "R", "V"}
        assert client.get(reverse("standard-detail", args=[shipped_edition("R").pk])).status_code == 200

    def test_the_detail_groups_by_section_with_readable_thresholds(self, world, client):
        response = as_user(client, world.clerk).get(reverse("standard-detail", args=[shipped_edition().pk]))
        html = response.content.decode()
        sections = response.context["sections"]
        titles = [section["title"] for section in sections]
        sheet_order = list(dict.fromkeys(row["section"][0] for row in shipped_data.load("U")["indicators"]))
        assert titles == sheet_order  # the sheet's 一级 sections, in the sheet's order
        assert sum(len(part["items"]) for section in sections for part in section["parts"]) == URBAN_ITEMS
        for text in ("≥ 300 平方米", "≥ 社区人口 × 0.1", "≥ 2/3", "包含全部:第一季度、第四季度", "材料审核"):
            assert text in html
        assert "复制为本市新版本" not in html  # a clerk may not copy

    @pytest.mark.parametrize(
        "who,status",
        [("officer", 200), ("clerk", 404), ("reviewer", 404), ("reader", 404), ("reader_d1", 404)],
    )
    def test_a_citys_draft_is_read_by_those_who_edit_it_only(self, world, client, draft, who, status):
        response = as_user(client, getattr(world, who)).get(reverse("standard-detail", args=[draft.pk]))
        assert response.status_code == status

    def test_another_city_does_not_see_it(self, world, client, draft):
        client = as_user(client, world.other_officer)
        assert client.get(reverse("standard-detail", args=[draft.pk])).status_code == 404
        assert draft not in client.get(reverse("standard-list")).context["object_list"]

    def test_the_list_filters(self, world, client, draft):
        client = as_user(client, world.officer)
        drafts = client.get(reverse("standard-list"), {"status": "draft"}).context["object_list"]
        assert list(drafts) == [draft]
        rural = client.get(reverse("standard-list"), {"applies_to": "rural"}).context["object_list"]
        assert [(e.code, e.version) for e in rural] == [("R", 1), ("R", 2)]


class TestCopyPage:
    def test_the_officer_copies_and_lands_on_the_draft(self, world, client):
        response = as_user(client, world.officer).post(reverse("standard-copy", args=[shipped_edition().pk]))
        copy = StandardEdition.objects.get(tenant=world.tenant)
        assert response.status_code == 302 and response.url == reverse("standard-detail", args=[copy.pk])
        assert (copy.version, copy.status) == (3, "draft")
        page = client.get(response.url).content.decode()
        assert "草稿" in page and "发布" in page and "新增本市指标" in page

    @pytest.mark.parametrize("who", NOT_OFFICERS)
    def test_other_roles_are_refused(self, world, client, who):
        response = as_user(client, getattr(world, who)).post(
            reverse("standard-copy", args=[shipped_edition().pk])
        )
        assert response.status_code == 403
        assert not StandardEdition.objects.filter(tenant__isnull=False).exists()

    def test_a_draft_is_not_copied(self, world, client, draft):
        response = as_user(client, world.officer).post(reverse("standard-copy", args=[draft.pk]))
        assert response.status_code == 409

    def test_another_citys_draft_is_not_found(self, world, client, draft):
        response = as_user(client, world.other_officer).post(reverse("standard-copy", args=[draft.pk]))
        assert response.status_code == 404

    def test_copy_is_post_only(self, world, client):
        assert (
            as_user(client, world.officer)
            .get(reverse("standard-copy", args=[shipped_edition().pk]))
            .status_code
            == 405
        )


class TestEditPages:
    def url(self, draft, code, name="indicator-update"):
        return reverse(name, args=[draft.pk, draft.indicators.get(code=code).pk])

    def test_change_a_number_threshold_level_and_weight(self, world, client, draft):
        client = as_user(client, world.officer)
        url = self.url(draft, "U-AREA")
        form = client.get(url).context["form"]
        assert form["threshold_form"].value() == "number" and form["threshold_number"].value() == "300"
        response = client.post(
            url,
            {
                **AUTO_SHEET,
                "level": "model",
                "points": "2.5",
                "operator": "gte",
                "threshold_form": "number",
                "threshold_number": "400",
                "params_json": '{"kind": "service_station"}',
                "advice": "还差{missing}平方米",
            },
        )
        assert response.status_code == 302
        area = draft.indicators.get(code="U-AREA")
        assert (area.threshold, area.level, str(area.points)) == (400, "model", "2.50")
        assert "≥ 400 平方米" in client.get(reverse("standard-detail", args=[draft.pk])).content.decode()

    def test_a_fraction_stays_exact(self, world, client, draft):
        client = as_user(client, world.officer)
        url = self.url(draft, "U-FULLTIME")
        assert client.get(url).context["form"]["threshold_number"].value() == "2/3"
        data = {
            **AUTO_SHEET,
            "level": "qualified",
            "points": "1",
            "operator": "gte",
            "threshold_form": "number",
        }
        data.update(threshold_number="3/4", params_json='{"body": "residents_committee"}')
        assert client.post(url, data).status_code == 302
        assert draft.indicators.get(code="U-FULLTIME").threshold == {"numerator": 3, "denominator": 4}

    def test_a_fraction_factor_stays_exact(self, world, client, draft):
        client = as_user(client, world.officer)
        url = self.url(draft, "U-SPACE")
        form = client.get(url).context["form"]
        assert (form["threshold_measure"].value(), form["threshold_factor"].value()) == (
            "station_area_m2",
            "2/3",
        )
        data = {
            **AUTO_SHEET,
            "level": "qualified",
            "points": "1",
            "operator": "gte",
            "threshold_form": "measure",
        }
        data.update(
            threshold_measure="station_area_m2",
            threshold_factor="3/4",
            threshold_measure_params='{"kind": "service_station"}',
            params_json='{"kind": "service_station"}',
        )
        assert client.post(url, data).status_code == 302
        threshold = draft.indicators.get(code="U-SPACE").threshold
        assert threshold["factor"] == {"numerator": 3, "denominator": 4}

    def test_a_measure_times_a_factor(self, world, client, draft):
        client = as_user(client, world.officer)
        url = self.url(draft, "U-VOLREG")
        form = client.get(url).context["form"]
        assert (form["threshold_measure"].value(), form["threshold_factor"].value()) == ("residents", "0.1")
        data = {
            **AUTO_SHEET,
            "level": "qualified",
            "points": "1",
            "operator": "gte",
            "threshold_form": "measure",
        }
        data.update(threshold_measure="residents", threshold_factor="0.15")
        assert client.post(url, data).status_code == 302
        assert draft.indicators.get(code="U-VOLREG").threshold == {"measure": "residents", "factor": 0.15}
        data["threshold_factor"] = "一成"
        response = client.post(url, data)
        assert response.status_code == 200
        assert field_errors(response, "threshold_factor") == ["倍数须为数字或分数(如 300、0.1、2/3)。"]

    def test_the_referenced_measures_params_are_kept(self, world, client, draft):
        client = as_user(client, world.officer)
        url = self.url(draft, "U-FUND")
        form = client.get(url).context["form"]
        # As the browser sends the form: every input as shown, no unticked checkbox.
        data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
        data.update(level="qualified", points="1", threshold_factor="1.1")
        assert client.post(url, data).status_code == 302
        fund = draft.indicators.get(code="U-FUND").threshold
        assert fund["factor"] == 1.1 and fund["params"]["tiers"][0] == {
            "max_households": 1999,
            "amount": 40000,
        }

    def test_items_are_chosen_from_the_measures_codes(self, world, client, draft):
        client = as_user(client, world.officer)
        url = self.url(draft, "U-ROOMS")
        data = {
            **AUTO_SHEET,
            "level": "qualified",
            "points": "1",
            "operator": "all_in",
            "threshold_form": "codes",
        }
        data.update(
            threshold_codes=["service_hall", "police_room"], params_json='{"kind": "service_station"}'
        )
        assert client.post(url, data).status_code == 302
        assert draft.indicators.get(code="U-ROOMS").threshold == ["service_hall", "police_room"]
        quarters = self.url(draft, "U-MEET")
        data = {
            **AUTO_SHEET,
            "level": "qualified",
            "points": "1",
            "operator": "all_in",
            "threshold_form": "codes",
        }
        assert client.post(quarters, {**data, "threshold_codes": ["1", "2", "4"]}).status_code == 302
        assert draft.indicators.get(code="U-MEET").threshold == [1, 2, 4]

    def test_json_threshold_and_params_are_validated_by_field(self, world, client, draft):
        client = as_user(client, world.officer)
        url = self.url(draft, "U-PRO")
        assert client.get(url).context["form"]["threshold_form"].value() == "json"
        data = {
            **AUTO_SHEET,
            "level": "qualified",
            "points": "1",
            "operator": "between",
            "threshold_form": "json",
        }
        response = client.post(url, {**data, "threshold_json": '{"min": 1}'})
        assert field_errors(response, "threshold_json") == ['“介于”的阈值须为 {"min": 下限, "max": 上限}。']
        response = client.post(url, {**data, "threshold_json": "{not json"})
        assert field_errors(response, "threshold_json") == ["阈值不是合法的 JSON。"]
        response = client.post(
            url, {**data, "threshold_json": '{"min": 0, "max": 5}', "params_json": '{"x": 1}'}
        )
        assert "没有参数" in field_errors(response, "params_json")[0]
        response = client.post(url, {**data, "threshold_json": '{"min": 0, "max": 5}', "points": "-1"})
        assert field_errors(response, "points") == ["分值不能为负数。"]
        assert draft.indicators.get(code="U-PRO").threshold["max"]["measure"] == "professional_staff_allowed"

    def test_an_evidence_indicator_has_only_level_points_and_its_sheet_fields(self, world, client, draft):
        client = as_user(client, world.officer)
        url = self.url(draft, "U-CHARTER")
        form = client.get(url).context["form"]
        bands = {f"band_{part}_{row}" for part in ("min", "share") for row in range(1, 5)}
        assert {field.name for field in form.visible_fields()} == {
            "level",
            "points",
            *("section_1", "section_2", "method", "scoring", "deduction_per", "veto", "bonus"),
            *bands,
        }  # no operator, parameters, threshold or advice: a reviewer judges it from the documents
        sheet = {"method": "documents", "scoring": "all_or_nothing"}
        assert client.post(url, {**sheet, "level": "model", "points": "0"}).status_code == 302
        assert draft.indicators.get(code="U-CHARTER").level == "model"

    def test_a_change_made_meanwhile_is_not_overwritten(self, world, client, draft):
        client = as_user(client, world.officer)
        url = self.url(draft, "U-CHARTER")
        opened_with = client.get(url).context["form"]["version"].value()
        charter = draft.indicators.get(code="U-CHARTER")
        editing.update_indicator(charter, world.officer, points=3)  # another officer, meanwhile
        data = {"method": "documents", "scoring": "all_or_nothing", "level": "model", "points": "0"}
        response = client.post(url, {**data, "version": opened_with})
        assert response.status_code == 200 and "已被他人修改" in response.content.decode()
        assert draft.indicators.get(code="U-CHARTER").points == 3

    def test_add_a_citys_own_indicator(self, world, client, draft):
        client = as_user(client, world.officer)
        url = reverse("indicator-create", args=[draft.pk])
        assert client.get(url).status_code == 200
        data = {
            "code": "LJ-01",
            "category": "服务",
            "requirement": "注册志愿者不少于社区人口的12%。",
            "measure": "registered_volunteers",
            "operator": "gte",
            "level": "model",
            "points": "1",
            "scoring": "all_or_nothing",
            "threshold_form": "measure",
            "threshold_measure": "residents",
            "threshold_factor": "0.12",
        }
        assert client.post(url, data).status_code == 302
        own = draft.indicators.get(code="LJ-01")
        assert (own.check_kind, own.threshold) == ("auto", {"measure": "residents", "factor": 0.12})
        response = client.post(url, {**data, "code": "LJ-02", "threshold_factor": "abc"})
        assert response.status_code == 200 and field_errors(response, "threshold_factor")
        response = client.post(url, {**data, "code": "LJ-02", "measure": "happiness_index"})
        assert field_errors(response, "measure")
        response = client.post(url, {**data, "code": "LJ-02", "threshold_measure": "station_rooms"})
        assert field_errors(response, "threshold_measure")  # not a number measure: not a choice
        response = client.post(url, {**data, "code": "LJ-01"})
        assert field_errors(response, "code") == ["本标准已有该指标代码。"]
        response = client.post(
            url, {**data, "code": "LJ-02", "threshold_form": "number", "threshold_number": "150"}
        )
        assert response.status_code == 302
        assert draft.indicators.get(code="LJ-02").threshold == 150
        assert draft.indicators.count() == URBAN_ITEMS + 2

    def test_edit_the_editions_name_and_code(self, world, client, draft):
        client = as_user(client, world.officer)
        url = reverse("standard-update", args=[draft.pk])
        fields = client.get(url).context["form"].fields
        scores = [name for name in fields if name.startswith("min_score_")]
        assert scores == ["min_score_qualified", "min_score_model"]  # urban: no 精品
        kept = {"bonus_cap": "5", "min_score_qualified": "70", "min_score_model": "90"}
        response = client.post(url, {**kept, "code": "LJ-U", "name": "临江市城市社区标准"})
        assert response.status_code == 302
        draft.refresh_from_db()
        assert (draft.code, draft.version) == ("LJ-U", 1)
        assert draft.min_scores == {"qualified": 70, "model": 90}
        response = client.post(url, {**kept, "code": "临江", "name": "x"})
        assert field_errors(response, "code") == ["标准代码只能由英文字母、数字和连字符组成。"]

    def test_rural_drafts_edit_the_premium_score(self, world, client):
        rural = editing.copy_edition(shipped_edition("R"), world.officer)
        assert rural.min_scores == {"standardized": 70, "model": 85, "premium": 95}
        client = as_user(client, world.officer)
        url = reverse("standard-update", args=[rural.pk])
        data = {"code": "R", "name": rural.name, "bonus_cap": "5"}
        data.update(min_score_standardized="70", min_score_model="85")
        for score in ("101", "-1"):
            response = client.post(url, {**data, "min_score_premium": score})
            assert field_errors(response, "min_score_premium") == ["各等级最低得分须为0至100之间的数字。"]
        response = client.post(url, {**data, "min_score_premium": "85"})  # not above 示范
        assert field_errors(response, "min_score_premium") == ["等级越高,最低得分须越高(由低到高严格递增)。"]
        rural.refresh_from_db()
        assert rural.min_scores["premium"] == 95  # nothing refused was saved
        assert client.post(url, {**data, "min_score_premium": "90"}).status_code == 302
        rural.refresh_from_db()
        assert rural.min_scores == {"standardized": 70, "model": 85, "premium": 90}

    @pytest.mark.parametrize("who", NOT_OFFICERS)
    def test_other_roles_of_the_city_find_no_draft_to_edit(self, world, client, draft, who):
        # A draft is read by those who edit the standards only: for the others it is not there (404).
        client = as_user(client, getattr(world, who))
        area = draft.indicators.get(code="U-AREA")
        for url in (
            reverse("indicator-update", args=[draft.pk, area.pk]),
            reverse("indicator-delete", args=[draft.pk, area.pk]),
            reverse("indicator-create", args=[draft.pk]),
            reverse("standard-update", args=[draft.pk]),
            reverse("standard-publish", args=[draft.pk]),
            reverse("standard-delete", args=[draft.pk]),
        ):
            assert client.get(url).status_code == 404, url
            assert (
                client.post(url, {"threshold_form": "number", "threshold_number": "1"}).status_code == 404
            ), url
        assert draft.indicators.get(code="U-AREA").threshold == 300
        assert StandardEdition.objects.get(pk=draft.pk).status == "draft"

    def test_another_citys_officer_gets_404(self, world, client, draft):
        client = as_user(client, world.other_officer)
        area = draft.indicators.get(code="U-AREA")
        for url in (
            reverse("indicator-update", args=[draft.pk, area.pk]),
            reverse("indicator-create", args=[draft.pk]),
            reverse("standard-publish", args=[draft.pk]),
            reverse("standard-delete", args=[draft.pk]),
        ):
            assert client.get(url).status_code == 404, url
            assert client.post(url, {}).status_code == 404, url
        assert StandardEdition.objects.get(pk=draft.pk).status == "draft"

    def test_an_indicator_of_another_edition_is_not_found_through_this_one(self, world, client, draft):
        other = editing.copy_edition(shipped_edition("V"), world.officer)
        url = reverse("indicator-update", args=[draft.pk, other.indicators.first().pk])
        assert as_user(client, world.officer).get(url).status_code == 404

    def test_the_shipped_edition_is_nobodys_to_edit(self, world, client):
        area = shipped_edition().indicators.get(code="U-AREA")
        url = reverse("indicator-update", args=[shipped_edition().pk, area.pk])
        assert as_user(client, world.officer).get(url).status_code == 403

    def test_remove_an_indicator_and_discard_a_draft(self, world, client, draft):
        client = as_user(client, world.officer)
        screen = draft.indicators.get(code="U-SCREEN")
        assert client.get(reverse("indicator-delete", args=[draft.pk, screen.pk])).status_code == 200
        assert client.post(reverse("indicator-delete", args=[draft.pk, screen.pk])).status_code == 302
        assert not draft.indicators.filter(code="U-SCREEN").exists()
        assert client.post(reverse("standard-delete", args=[draft.pk])).status_code == 302
        assert not StandardEdition.objects.filter(pk=draft.pk).exists()


class TestPublishPage:
    def test_confirm_then_publish_then_nothing_changes(self, world, client, draft):
        client = as_user(client, world.officer)
        editing.update_indicator(draft.indicators.get(code="U-AREA"), world.officer, threshold=400)
        url = reverse("standard-publish", args=[draft.pk])
        confirm = client.get(url)
        assert confirm.status_code == 200
        assert "≥ 300 平方米 → ≥ 400 平方米" in confirm.content.decode()
        assert StandardEdition.objects.get(pk=draft.pk).status == "draft"  # GET publishes nothing
        response = client.post(url)
        assert response.status_code == 302
        assert StandardEdition.objects.get(pk=draft.pk).status == "published"
        area = draft.indicators.get(code="U-AREA")
        edit = reverse("indicator-update", args=[draft.pk, area.pk])
        assert client.get(edit).status_code == 409
        response = client.post(
            edit, {"level": "model", "points": "1", "threshold_form": "number", "threshold_number": "1"}
        )
        assert response.status_code == 409 and "已发布的标准版本不能修改" in response.content.decode()
        for name in ("standard-publish", "standard-update", "standard-delete", "indicator-create"):
            assert client.post(reverse(name, args=[draft.pk]), {}).status_code == 409, name
        assert client.post(reverse("indicator-delete", args=[draft.pk, area.pk])).status_code == 409
        assert draft.indicators.get(code="U-AREA").threshold == 400
        assert draft.indicators.count() == URBAN_ITEMS
        page = client.get(reverse("standard-detail", args=[draft.pk])).content.decode()
        assert "已发布" in page and "复制为本市新版本" in page and "新增本市指标" not in page

    def test_a_refused_publication_says_why(self, world, client, draft):
        for row in list(draft.indicators.all()):
            editing.remove_indicator(row, world.officer)
        client = as_user(client, world.officer)
        response = client.post(reverse("standard-publish", args=[draft.pk]), follow=True)
        assert "没有任何指标的标准版本不能发布。" in response.content.decode()
        assert StandardEdition.objects.get(pk=draft.pk).status == "draft"

    def test_the_nav_links_to_the_standards(self, world, client):
        page = as_user(client, world.clerk).get(reverse("dashboard")).content.decode()
        assert f'href="{reverse("standard-list")}"' in page
