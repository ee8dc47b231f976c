"""The 评分表 editor: each item's section, points, method, scoring rule and its parameters, vetoes and
bonus flag, and each level's minimum score, edited on the pages and through `standards.editing`; every
invalid sheet refused with its Chinese message at its field, nothing saved; publishing refuses a sheet
that cannot be evaluated; the detail page shows the sheet as a tree with the level bands."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape

from standards import editing
from standards.models import Indicator, StandardEdition


def shipped(code="U") -> StandardEdition:
    return StandardEdition.objects.shipped().filter(code=code).order_by("-version").first()


@pytest.fixture
def draft(world):
    return editing.copy_edition(shipped(), world.officer)


def item(draft, code) -> Indicator:
    return draft.indicators.get(code=code)


def form_data(form) -> dict:
    """What the browser posts back for the form as it was opened."""
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False or value == "":
            continue
        data[field.name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def field_errors(response, field):
    return [str(error) for error in response.context["form"].errors.get(field, [])]


def snapshot(indicator: Indicator) -> tuple:
    indicator.refresh_from_db()
    return (
        indicator.section,
        indicator.points,
        indicator.method,
        indicator.scoring,
        indicator.scoring_params,
        indicator.veto,
        indicator.bonus,
    )


# ---- through the service ------------------------------------------------------------------------


class TestService:
    def test_every_sheet_field_of_an_item_is_edited(self, world, draft):
        editing.update_indicator(
            item(draft, "U-PROPERTY"),
            world.officer,
            section=["服务", "物业管理"],
            points=Decimal("4.5"),
            method="forum",
            scoring="graded",
            veto=["model"],
            bonus=False,
        )
        assert snapshot(item(draft, "U-PROPERTY")) == (
            ["服务", "物业管理"],
            Decimal("4.50"),
            "forum",
            "graded",
            {},
            ["model"],
            False,
        )
        editing.update_indicator(
            item(draft, "U-SOCORG"), world.officer, scoring="deduction", scoring_params={"per": 1.5}, veto=[]
        )
        assert item(draft, "U-SOCORG").scoring_params == {"per": 1.5}
        bands = {"bands": [{"min": 90, "share": 1}, {"min": 80, "share": 0.6}]}
        editing.update_indicator(
            item(draft, "U-SATISF"),
            world.officer,
            method="satisfaction",
            scoring="bands",
            scoring_params=bands,
            veto=[],
        )
        assert item(draft, "U-SATISF").scoring_params == bands
        editing.update_indicator(
            item(draft, "U-SCREEN"), world.officer, section=["阵地建设"], bonus=True, veto=[]
        )
        assert item(draft, "U-SCREEN").bonus is True

    def test_level_minimums_and_bonus_cap(self, world, draft):
        editing.update_edition(draft, world.officer, min_scores={"qualified": 60, "model": 80}, bonus_cap=3)
        draft.refresh_from_db()
        assert (draft.min_scores, draft.bonus_cap) == ({"qualified": 60, "model": 80}, Decimal("3.00"))

    @pytest.mark.parametrize(
        ("code", "changes", "field", "message"),
        [
            ("U-AREA", {"points": -1}, "points", "分值不能为负数。"),
            (
                "U-SATISF",
                {
                    "method": "satisfaction",
                    "scoring": "bands",
                    "scoring_params": {"bands": [{"min": 80, "share": 0.6}, {"min": 90, "share": 1}]},
                },
                "scoring_params",
                "各档最低值须由高到低排列,且互不相同。",
            ),
            (
                "U-SATISF",
                {
                    "method": "satisfaction",
                    "scoring": "bands",
                    "scoring_params": {"bands": [{"min": 90, "share": 0.5}, {"min": 80, "share": 0.6}]},
                },
                "scoring_params",
                "最低值较低的一档,得分比例不能更高。",
            ),
            ("U-AREA", {"veto": ["premium"]}, "veto", "本标准没有等级:premium。"),
            ("U-AREA", {"veto": ["qualified"], "bonus": True}, "veto", "加分项不能同时是一票否决项。"),
            ("U-AREA", {"scoring": "deduction", "scoring_params": {"per": 0}}, "scoring_params", None),
            (
                "U-CONSULT",
                {"scoring": "bands", "scoring_params": {"bands": [{"min": 1, "share": 1}]}},
                "scoring",
                None,
            ),
            ("U-CONSULT", {"method": "forum"}, "method", "该判定方式的考评方法只能是:材料审核。"),
        ],
    )
    def test_an_invalid_item_is_refused_and_nothing_saved(self, world, draft, code, changes, field, message):
        before = snapshot(item(draft, code))
        with pytest.raises(ValidationError) as refused:
            editing.update_indicator(item(draft, code), world.officer, **changes)
        assert field in refused.value.message_dict
        if message:
            assert message in refused.value.message_dict[field]
        assert snapshot(item(draft, code)) == before

    @pytest.mark.parametrize(
        ("min_scores", "message"),
        [
            ({"qualified": 90, "model": 90}, "等级越高,最低得分须越高(由低到高严格递增)。"),
            ({"qualified": 95, "model": 90}, "等级越高,最低得分须越高(由低到高严格递增)。"),
            ({"qualified": 70, "model": 101}, "各等级最低得分须为0至100之间的数字。"),
            ({"qualified": 70}, "请为每个等级设定最低得分(缺:model)。"),
        ],
    )
    def test_level_minimums_that_do_not_rise_are_refused(self, world, draft, min_scores, message):
        before = dict(draft.min_scores)
        with pytest.raises(ValidationError) as refused:
            editing.update_edition(draft, world.officer, min_scores=min_scores)
        assert refused.value.message_dict["min_scores"] == [message]
        draft.refresh_from_db()
        assert draft.min_scores == before


class TestPublish:
    """What was written past validation (an older draft, the shell) is still refused when published."""

    @pytest.mark.parametrize(
        ("write", "message"),
        [
            (
                lambda d: StandardEdition.objects.filter(pk=d.pk).update(
                    min_scores={"qualified": 90, "model": 80}
                ),
                "等级越高,最低得分须越高(由低到高严格递增)。",
            ),
            (
                lambda d: d.indicators.filter(code="U-AREA").update(veto=["premium"]),
                "本标准没有等级:premium。",
            ),
            (
                lambda d: d.indicators.filter(code="U-AREA").update(
                    scoring="bands",
                    scoring_params={"bands": [{"min": 1, "share": 0.5}, {"min": 5, "share": 1}]},
                ),
                "各档最低值须由高到低排列,且互不相同。",
            ),
            (
                lambda d: d.indicators.update(bonus=True, veto=[]),
                "评分表的满分合计(加分项除外)须大于0,否则无法折算得分。",
            ),
        ],
    )
    def test_a_sheet_that_cannot_be_evaluated_is_not_published(self, world, draft, write, message):
        write(draft)
        with pytest.raises(ValidationError) as refused:
            editing.publish(draft, world.officer)
        assert message in refused.value.messages
        draft.refresh_from_db()
        assert not draft.is_published

    def test_negative_points_never_reach_the_table(self, world, draft):
        with pytest.raises(IntegrityError), transaction.atomic():
            draft.indicators.filter(code="U-AREA").update(points=-1)


# ---- through the pages --------------------------------------------------------------------------


class TestIndicatorPage:
    def url(self, draft, code):
        return reverse("indicator-update", args=[draft.pk, item(draft, code).pk])

    def opened(self, client, world, draft, code):
        client.force_login(world.officer)
        response = client.get(self.url(draft, code))
        assert response.status_code == 200
        return form_data(response.context["form"])

    def test_the_page_offers_the_methods_and_rules_of_the_items_check(self, world, client, draft):
        client.force_login(world.officer)
        form = client.get(self.url(draft, "U-CONSULT")).context["form"]
        assert [value for value, _ in form.fields["method"].choices] == ["documents"]
        assert [value for value, _ in form.fields["scoring"].choices] == ["all_or_nothing", "graded"]
        site = client.get(self.url(draft, "U-SATISF")).context["form"]
        assert [value for value, _ in site.fields["method"].choices] == [
            "inspection",
            "forum",
            "survey",
            "satisfaction",
        ]
        assert [value for value, _ in site.fields["veto"].choices] == ["qualified", "model"]

    def test_every_sheet_field_is_saved(self, world, client, draft):
        data = self.opened(client, world, draft, "U-SATISF")
        data.update(
            section_1="服务",
            section_2="居民满意度",
            points="6",
            method="satisfaction",
            scoring="bands",
            band_min_1="90",
            band_share_1="100",
            band_min_2="80",
            band_share_2="60",
            veto=["qualified", "model"],
        )
        data.pop("bonus", None)
        response = client.post(self.url(draft, "U-SATISF"), data)
        assert response.status_code == 302, response.context["form"].errors
        assert snapshot(item(draft, "U-SATISF")) == (
            ["服务", "居民满意度"],
            Decimal("6.00"),
            "satisfaction",
            "bands",
            {"bands": [{"min": 90, "share": 1}, {"min": 80, "share": 0.6}]},
            ["qualified", "model"],
            False,
        )
        # opened again, the page shows what was saved
        again = self.opened(client, world, draft, "U-SATISF")
        assert (again["band_min_2"], again["band_share_2"], again["veto"]) == (
            "80",
            "60.0",
            ["qualified", "model"],
        )

    def test_deduction_and_bonus(self, world, client, draft):
        data = self.opened(client, world, draft, "U-SOCORG")
        data.update(scoring="deduction", deduction_per="0.5", bonus="on")
        data.pop("veto", None)
        assert client.post(self.url(draft, "U-SOCORG"), data).status_code == 302
        socorg = item(draft, "U-SOCORG")
        assert (socorg.scoring_params, socorg.bonus, socorg.veto) == ({"per": 0.5}, True, [])

    @pytest.mark.parametrize(
        ("code", "changes", "field", "message"),
        [
            ("U-AREA", {"points": "-1"}, "points", "分值不能为负数。"),
            (
                "U-SATISF",
                {
                    "method": "satisfaction",
                    "scoring": "bands",
                    "band_min_1": "80",
                    "band_share_1": "60",
                    "band_min_2": "90",
                    "band_share_2": "100",
                },
                "band_min_1",
                "各档最低值须由高到低排列,且互不相同。",
            ),
            (
                "U-SATISF",
                {"method": "satisfaction", "scoring": "bands", "band_min_1": "90", "band_share_1": ""},
                "band_share_1",
                "第1档须同时填写最低值和得分比例。",
            ),
            (
                "U-SATISF",
                {"method": "satisfaction", "scoring": "bands", "band_min_1": "90", "band_share_1": "120"},
                "band_share_1",
                "得分比例须在0至100%之间。",
            ),
            ("U-AREA", {"veto": ["premium"]}, "veto", "本标准没有等级:premium。"),
            ("U-AREA", {"veto": ["qualified"], "bonus": "on"}, "veto", "加分项不能同时是一票否决项。"),
            (
                "U-AREA",
                {"scoring": "deduction", "deduction_per": "0"},
                "deduction_per",
                '缺项扣分须写明每缺一个单位扣几分,如 {"per": 1},且大于0。',
            ),
            (
                "U-CONSULT",
                {"scoring": "bands"},
                "scoring",
                "该判定方式的计分规则只能是:达标得满分、评审打分。",
            ),
            (
                "U-PROPERTY",
                {"scoring": "bands"},
                "scoring",
                "实地评估的指标只有满意度测评可以分档得分(按满意度得分)。",
            ),
            ("U-AREA", {"section_2": "面积"}, "section_1", "填写二级栏目前,请先填写一级栏目。"),
        ],
    )
    def test_invalid_input_is_refused_at_its_field(self, world, client, draft, code, changes, field, message):
        before = snapshot(item(draft, code))
        data = self.opened(client, world, draft, code)
        if field == "section_1":
            data.pop("section_1", None)
        data.update(changes)
        response = client.post(self.url(draft, code), data)
        assert response.status_code == 200
        assert message in field_errors(response, field)
        assert f'data-field="{field}">{escape(message)}' in response.content.decode()
        assert snapshot(item(draft, code)) == before


class TestEditionPage:
    def url(self, draft):
        return reverse("standard-update", args=[draft.pk])

    def test_minimums_and_cap_are_saved_and_vetoes_shown(self, world, client, draft):
        editing.update_indicator(item(draft, "U-AREA"), world.officer, veto=["qualified", "model"])
        client.force_login(world.officer)
        page = client.get(self.url(draft))
        vetoes = dict(page.context["form"].level_vetoes())
        assert "U-AREA" in vetoes["合格"] and vetoes["示范"] == draft.veto_codes("model")
        assert "U-AREA" in page.content.decode()
        response = client.post(
            self.url(draft),
            {
                "code": "U",
                "name": draft.name,
                "bonus_cap": "4",
                "min_score_qualified": "65",
                "min_score_model": "88.5",
            },
        )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert (draft.min_scores, draft.bonus_cap) == ({"qualified": 65, "model": 88.5}, Decimal("4.00"))

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            (
                {"min_score_qualified": "90", "min_score_model": "80"},
                "min_score_model",
                "等级越高,最低得分须越高(由低到高严格递增)。",
            ),
            (
                {"min_score_qualified": "70", "min_score_model": "101"},
                "min_score_model",
                "各等级最低得分须为0至100之间的数字。",
            ),
            ({"bonus_cap": "-1"}, "bonus_cap", "加分上限须在0至100之间。"),
        ],
    )
    def test_invalid_input_is_refused_at_its_field(self, world, client, draft, data, field, message):
        client.force_login(world.officer)
        before = (dict(draft.min_scores), draft.bonus_cap)
        posted = {
            "code": "U",
            "name": draft.name,
            "bonus_cap": "5",
            "min_score_qualified": "70",
            "min_score_model": "90",
        }
        response = client.post(self.url(draft), {**posted, **data})
        assert response.status_code == 200
        assert field_errors(response, field) == [message]
        draft.refresh_from_db()
        assert (draft.min_scores, draft.bonus_cap) == before


class TestDetailPage:
    def test_the_sheet_as_a_tree_with_subtotals_and_level_bands(self, world, client, draft):
        editing.update_indicator(
            item(draft, "U-AREA"), world.officer, section=["阵地建设", "服务站"], points=3
        )
        editing.update_indicator(
            item(draft, "U-SCREEN"), world.officer, section=["阵地建设"], bonus=True, veto=[]
        )
        client.force_login(world.officer)
        response = client.get(reverse("standard-detail", args=[draft.pk]))
        sections = {section["title"]: section for section in response.context["sections"]}
        indicators = list(draft.indicators.all())
        front = [row for row in indicators if (row.section or [row.category])[0] == "阵地建设"]
        assert sections["阵地建设"]["points"] == sum(row.points for row in front if not row.bonus)
        assert sections["阵地建设"]["bonus"] == item(draft, "U-SCREEN").points
        parts = {part["title"]: part for part in sections["阵地建设"]["parts"]}
        assert [row.code for row in parts["服务站"]["items"]] == ["U-AREA"] and parts["服务站"]["points"] == 3
        assert response.context["full_marks"] == sum(row.points for row in indicators if not row.bonus)
        html = response.content.decode()
        assert "产品默认值" not in html  # a city's own edition
        assert "加分项" in html and item(draft, "U-AREA").scoring_label in html
        bands = {band["label"]: band for band in response.context["bands"]}
        assert bands["合格"]["min_score"] == draft.min_score("qualified")
        assert bands["示范"]["veto"] == draft.veto_codes("model")

    def test_the_shipped_sheet_is_labelled_as_the_products_defaults(self, world, client):
        client.force_login(world.clerk)
        html = client.get(reverse("standard-detail", args=[shipped().pk])).content.decode()
        assert 'data-testid="default-bands">产品默认值' in html
