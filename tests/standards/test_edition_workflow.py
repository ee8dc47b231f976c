"""Copy → edit the draft → publish, through the services: versions, validation of a city's own
indicator, immutability after publishing, and who may do it."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.exceptions import Conflict
from demo.factories import shipped_edition
from standards import editing
from standards import shipped as shipped_data
from standards.models import EditionLocked, Indicator, StandardEdition

# The items of the shipped urban sheet a draft copies.
URBAN_ITEMS = len(shipped_data.load("U")["indicators"])


@pytest.fixture
def draft(world):
    return editing.copy_edition(shipped_edition(), world.officer)


OWN = {
    "code": "LJ-01",
    "category": "服务",
    "requirement": "注册志愿者不少于社区人口的12%。",
    "measure": "registered_volunteers",
    "operator": "gte",
    "threshold": {"measure": "residents", "factor": 0.12},
    "level": "model",
    "points": Decimal("2"),
}


class TestCopy:
    def test_a_copy_is_a_draft_of_the_next_version_in_the_city(self, world, draft):
        source = shipped_edition()
        assert draft.tenant == world.tenant and draft.status == StandardEdition.Status.DRAFT
        assert (draft.code, draft.version, draft.based_on, draft.created_by) == (
            "U",
            3,  # the shipped versions 1 and 2 come first
            source,
            world.officer,
        )
        assert (draft.applies_to, draft.levels) == (source.applies_to, source.levels)
        fields = ["code", "category", "requirement", "check_kind", "level", "points", "measure", "params"]
        fields += ["operator", "threshold", "advice", "order"]
        assert list(draft.indicators.order_by("order").values_list(*fields)) == list(
            source.indicators.order_by("order").values_list(*fields)
        )

    def test_versions_count_the_citys_editions_and_the_shipped_one(self, world, draft):
        editing.publish(draft, world.officer)
        again = editing.copy_edition(draft, world.officer)
        assert again.version == 4 and again.based_on == draft
        elsewhere = editing.copy_edition(shipped_edition(), world.other_officer)
        assert (elsewhere.tenant, elsewhere.version) == (world.other_tenant, 3)

    def test_only_published_editions_are_copied(self, world, draft):
        with pytest.raises(Conflict):
            editing.copy_edition(draft, world.officer)

    @pytest.mark.parametrize("who", ["clerk", "reviewer", "reader", "reader_d1"])
    def test_only_the_city_officer_copies(self, world, who):
        with pytest.raises(PermissionDenied):
            editing.copy_edition(shipped_edition(), getattr(world, who))
        assert not StandardEdition.objects.filter(tenant__isnull=False).exists()

    def test_another_citys_edition_cannot_be_copied(self, world, draft):
        editing.publish(draft, world.officer)
        with pytest.raises(PermissionDenied):
            editing.copy_edition(draft, world.other_officer)


class TestEditDraft:
    def test_thresholds_levels_weights_params_change(self, world, draft):
        area = draft.indicators.get(code="U-AREA")
        editing.update_indicator(area, world.officer, threshold=400, level="model", points=Decimal("3"))
        area.refresh_from_db()
        assert (area.threshold, area.level, area.points) == (400, "model", 3)
        assert area.readable_threshold == "≥ 400 平方米"
        meet = draft.indicators.get(code="U-MEET")
        editing.update_indicator(meet, world.officer, params={"kind": "residents_representatives"})
        assert draft.indicators.get(code="U-MEET").params == {"kind": "residents_representatives"}
        assert shipped_edition().indicators.get(code="U-AREA").threshold == 300  # the source is untouched

    @pytest.mark.parametrize(
        "changes, field",
        [
            ({"threshold": "三百"}, "threshold"),
            ({"threshold": {"measure": "residents", "factor": "a lot"}}, "threshold"),
            ({"operator": "all_in"}, "operator"),
            ({"level": "premium"}, "level"),
            ({"points": Decimal("-1")}, "points"),
            ({"params": {"colour": "red"}}, "params"),
            ({"params": {"kind": "service_station", "exempt_subtypes": ["castle"]}}, "params"),
            ({"threshold": {"min": 7, "max": 5}, "operator": "between"}, "threshold"),
            ({"advice": "还差{shortfall}"}, "advice"),
        ],
    )
    def test_bad_rules_are_refused_by_field(self, world, draft, changes, field):
        area = draft.indicators.get(code="U-AREA")
        with pytest.raises(ValidationError) as refused:
            editing.update_indicator(area, world.officer, **changes)
        assert field in refused.value.message_dict
        assert draft.indicators.get(code="U-AREA").threshold == 300

    def test_list_thresholds_name_known_codes(self, world, draft):
        rooms = draft.indicators.get(code="U-ROOMS")
        editing.update_indicator(rooms, world.officer, threshold=["service_hall", "police_room"])
        with pytest.raises(ValidationError) as refused:
            editing.update_indicator(rooms, world.officer, threshold=["service_hall", "helipad"])
        assert "helipad" in refused.value.message_dict["threshold"][0]

    def test_a_new_code_takes_that_codes_next_version(self, world, draft):
        editing.update_edition(draft, world.officer, code="LJ-U", name="临江市城市社区标准")
        draft.refresh_from_db()
        assert (draft.code, draft.version, draft.name) == ("LJ-U", 1, "临江市城市社区标准")

    def test_another_city_and_other_roles_may_not_edit(self, world, draft):
        area = draft.indicators.get(code="U-AREA")
        for user in (world.other_officer, world.clerk, world.reviewer, world.reader):
            with pytest.raises(PermissionDenied):
                editing.update_indicator(area, user, threshold=1)
        with pytest.raises(PermissionDenied):
            editing.publish(draft, world.other_officer)
        assert draft.indicators.get(code="U-AREA").threshold == 300


class TestOwnIndicator:
    def test_a_measure_times_a_factor_needs_no_code(self, world, draft):
        own = editing.add_indicator(draft, world.officer, **OWN)
        assert own.check_kind == Indicator.Check.AUTO and own.order == URBAN_ITEMS + 1
        assert own.readable_threshold == "≥ 社区人口 × 0.12"

    def test_a_number_threshold(self, world, draft):
        own = editing.add_indicator(
            draft,
            world.officer,
            **{**OWN, "measure": "organizations", "params": {"kind": "social"}, "threshold": 12},
        )
        assert own.readable_threshold == "≥ 12 个"

    @pytest.mark.parametrize(
        "changes, field, text",
        [
            ({"measure": "happiness_index"}, "measure", "未知的测量项"),
            ({"threshold": {"measure": "happiness_index", "factor": 0.1}}, "threshold", "未知的测量项"),
            ({"threshold": {"measure": "residents", "factor": "0.1"}}, "threshold", "倍数须为数字"),
            ({"threshold": {"measure": "residents", "factor": True}}, "threshold", "倍数须为数字"),
            ({"threshold": {"measure": "residents"}}, "threshold", "倍数"),
            ({"threshold": {"measure": "station_rooms", "factor": 2}}, "threshold", "不是数值"),
            ({"threshold": "__import__('os').system('true')"}, "threshold", "须为数字"),
            ({"operator": "all_in", "threshold": ["x"]}, "operator", "不能用“包含全部”"),
            ({"code": "U-AREA"}, "code", "已有该指标代码"),
            ({"level": "premium"}, "level", "等级"),
        ],
    )
    def test_refused(self, world, draft, changes, field, text):
        with pytest.raises(ValidationError) as refused:
            editing.add_indicator(draft, world.officer, **{**OWN, **changes})
        assert text in " ".join(refused.value.message_dict[field])
        assert draft.indicators.count() == URBAN_ITEMS


class TestPublish:
    def test_publishing_fixes_the_edition(self, world, draft):
        published = editing.publish(draft, world.officer)
        assert published.status == StandardEdition.Status.PUBLISHED
        assert published.published_at and published.published_by == world.officer

    def test_nothing_in_a_published_edition_changes(self, world, draft):
        editing.publish(draft, world.officer)
        draft.refresh_from_db()
        area = draft.indicators.get(code="U-AREA")
        with pytest.raises(EditionLocked):
            editing.update_indicator(area, world.officer, threshold=100)
        with pytest.raises(EditionLocked):
            editing.add_indicator(draft, world.officer, **OWN)
        with pytest.raises(EditionLocked):
            editing.remove_indicator(area, world.officer)
        with pytest.raises(EditionLocked):
            editing.update_edition(draft, world.officer, name="改名")
        with pytest.raises(EditionLocked):
            editing.publish(draft, world.officer)
        with pytest.raises(EditionLocked):
            editing.delete_draft(draft, world.officer)
        # and below the services: the models refuse too
        area.threshold = 100
        with pytest.raises(EditionLocked):
            area.full_clean()
        with pytest.raises(EditionLocked):
            area.save()
        with pytest.raises(EditionLocked):
            area.delete()
        with pytest.raises(EditionLocked):
            Indicator.objects.create(
                edition=draft, code="X", category="服务", requirement="x", check_kind="site", level="model"
            )
        draft.name = "改名"
        with pytest.raises(EditionLocked):
            draft.save()
        with pytest.raises(EditionLocked):
            draft.delete()
        draft.refresh_from_db()
        assert draft.name == shipped_edition().name
        assert draft.indicators.get(code="U-AREA").threshold == 300
        assert draft.indicators.count() == URBAN_ITEMS

    def test_the_shipped_editions_are_locked_too(self, world):
        area = shipped_edition().indicators.get(code="U-AREA")
        area.threshold = 1
        with pytest.raises(EditionLocked):
            area.save()
        with pytest.raises(PermissionDenied):  # and nobody's to write
            editing.update_indicator(area, world.officer, threshold=1)

    def test_an_indicator_cannot_be_moved_out_of_a_published_edition(self, world, draft):
        area = shipped_edition().indicators.get(code="U-AREA")
        area.edition = draft
        with pytest.raises(EditionLocked):
            area.save()

    def test_an_empty_draft_is_not_published(self, world, draft):
        for row in list(draft.indicators.all()):
            editing.remove_indicator(row, world.officer)
        with pytest.raises(ValidationError):
            editing.publish(draft, world.officer)

    def test_changes_since_the_source_are_listed(self, world, draft):
        editing.update_indicator(draft.indicators.get(code="U-AREA"), world.officer, threshold=400)
        editing.remove_indicator(draft.indicators.get(code="U-SCREEN"), world.officer)
        editing.add_indicator(draft, world.officer, **OWN)
        changes = dict(editing.changes_since_source(draft))
        assert "≥ 300 平方米 → ≥ 400 平方米" in changes["U-AREA"]
        assert changes["U-SCREEN"] == "删除" and changes["LJ-01"].startswith("新增")
        assert "U-SIZE" not in changes

    def test_a_draft_can_be_discarded(self, world, draft):
        editing.delete_draft(draft, world.officer)
        assert not StandardEdition.objects.filter(pk=draft.pk).exists()
        assert shipped_edition().indicators.count() == URBAN_ITEMS


class TestScope:
    def test_editions_are_the_citys_plus_the_shipped_ones(self, world, draft):
        shipped = {(code, version) for code in ("U", "R", "V") for version in (1, 2)}
        assert set(StandardEdition.objects.visible_to(world.officer).values_list("code", "version")) == (
            shipped | {("U", 3)}
        )
        # The city's draft is read by those who edit it only; the others read the published editions.
        for user in (world.clerk, world.reviewer, world.reader, world.reader_d1):
            assert set(StandardEdition.objects.visible_to(user).values_list("code", "version")) == shipped
            assert not Indicator.objects.visible_to(user).filter(edition=draft).exists()
        for user in (world.clerk, world.reviewer, world.officer, world.reader_d1):
            assert list(StandardEdition.objects.within_scope(user)) == [draft]
        assert draft not in StandardEdition.objects.visible_to(world.other_officer)
        assert not Indicator.objects.visible_to(world.other_officer).filter(edition=draft).exists()
        assert (
            Indicator.objects.visible_to(world.officer).filter(edition=draft).count()
            == shipped_edition().indicators.count()
        )
        editing.publish(draft, world.officer)
        assert draft in StandardEdition.objects.visible_to(world.reviewer)
