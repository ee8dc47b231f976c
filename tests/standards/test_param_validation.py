"""A parameter the evaluator cannot use (an impossible date, text for a number, a
zero divisor) is refused when an edition's indicator is saved: at the model, on the editor page and
when a draft is published."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from demo.factories import shipped_edition
from standards import editing, thresholds
from standards.models import StandardEdition

NOVEMBER_31 = "截止日期11月31日不存在,请填写实际存在的日期。"


@pytest.fixture
def draft(world):
    return editing.copy_edition(shipped_edition(), world.officer)


def filing(month=None, day=None):
    params = {}
    if month is not None:
        params["deadline_month"] = month
    if day is not None:
        params["deadline_day"] = day
    return thresholds.validate_params("new_community_filed_on_time", params).get("params", [])


# ---- the parameters, from the measures' declarations ----------------------------------------------


@pytest.mark.parametrize(
    ("month", "day", "message"),
    [
        (11, 31, NOVEMBER_31),
        (4, 31, "截止日期4月31日不存在,请填写实际存在的日期。"),
        (2, 30, "截止日期2月30日不存在,请填写实际存在的日期。"),
        (2, 29, "截止日期2月29日并非每年都有,请填写每年都存在的日期(如2月28日)。"),
        (13, 1, "截止月须为1至12的整数。"),
        (0, 1, "截止月须为1至12的整数。"),
        (12, 32, "截止日须为1至31的整数。"),
        (11.5, 1, "截止月须为1至12的整数。"),
        ("11", 30, "参数“截止月”须为不小于0的数字。"),
        (True, 30, "参数“截止月”须为不小于0的数字。"),
        (None, 31, NOVEMBER_31),  # the month left out is the default, November
    ],
)
def test_an_impossible_filing_deadline_is_refused(month, day, message):
    assert filing(month, day) == [message]


@pytest.mark.parametrize(("month", "day"), [(11, 30), (12, 31), (2, 28), (1, 1), (None, 15), (6, None)])
def test_a_real_deadline_passes(month, day):
    assert filing(month, day) == []


@pytest.mark.parametrize(
    ("measure", "params", "message"),
    [
        ("expected_committee_seats", {"households_per_seat": 0}, "参数“每职对应户数”须大于0。"),
        ("expected_committee_seats", {"min": -1}, "参数“最少职数”须为不小于0的数字。"),
        ("households", {"exempt_subtypes": [1]}, None),
        ("committee_setup_on_time", {"months": "三"}, "参数“期限(月)”须为不小于0的数字。"),
        (
            "new_area_committee_warranted",
            {"min_occupancy": "half"},
            "参数“最低入住率”须为不小于0的数字或分数",
        ),
        ("meetings", {"with_minutes": "yes"}, "参数“须有会议记录”须为是或否(true/false)。"),
        ("meetings", {"kind": ["residents", "nope"]}, "参数“会议类别”须为以下代码之一,或这些代码的列表"),
        ("facilities", {"kind": ["service_station"]}, "参数“设施类别”须为以下代码之一:"),
        ("environment_items", {"field": "nope"}, "参数“检查表”须为以下代码之一:"),
        ("work_fund_due", {"tiers": [{"max_households": None, "amount": "很多"}]}, "分档的户数上限和金额"),
        ("work_fund_due", {"tiers": "40000"}, "分档须为列表"),
        ("service_scope_met", {"radius_km": float("inf")}, "参数“服务半径(公里)”须为不小于0的数字或分数"),
    ],
)
def test_a_parameter_the_measure_cannot_use_is_refused(measure, params, message):
    errors = thresholds.validate_params(measure, params).get("params", [])
    assert errors
    if message:
        assert errors[0].startswith(message)


@pytest.mark.django_db
def test_every_shipped_indicator_passes():
    for edition in StandardEdition.objects.shipped():
        for indicator in edition.indicators.filter(check_kind="auto"):
            rule = (indicator.measure, indicator.params, indicator.operator, indicator.threshold)
            assert thresholds.validate_rule(*rule) == {}, indicator.code


@pytest.mark.parametrize(
    "threshold",
    [
        float("inf"),
        float("nan"),
        {"numerator": 1, "denominator": 0},
        {"measure": "residents", "factor": float("inf")},
    ],
)
def test_a_threshold_that_cannot_be_compared_is_refused(threshold):
    assert thresholds.validate_threshold("gte", threshold, "households")


def test_a_measure_reference_s_parameters_are_checked_too():
    threshold = {"measure": "expected_committee_seats", "factor": 1, "params": {"households_per_seat": 0}}
    assert thresholds.validate_rule("committee_seats", {}, "eq", threshold) == {
        "threshold": ["参数“每职对应户数”须大于0。"]
    }


# ---- the model, the page, publishing ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_model_refuses_november_31(world, draft):
    indicator = draft.indicators.get(code="U-FILE")
    with pytest.raises(ValidationError) as refused:
        editing.update_indicator(indicator, world.officer, params={"deadline_month": 11, "deadline_day": 31})
    assert refused.value.message_dict == {"params": [NOVEMBER_31]}
    assert draft.indicators.get(code="U-FILE").params == {"deadline_month": 11, "deadline_day": 30}


@pytest.mark.django_db
def test_the_editor_page_shows_the_error_at_the_parameters_and_saves_nothing(world, client, draft):
    client.force_login(world.officer)
    indicator = draft.indicators.get(code="U-FILE")
    url = reverse("indicator-update", args=[draft.pk, indicator.pk])
    data = {
        "level": "qualified",
        "points": "1",
        "method": "system",
        "scoring": "all_or_nothing",
        "operator": "eq",
        "threshold_form": "number",
        "threshold_number": "1",
        "params_json": '{"deadline_month": 11, "deadline_day": 31}',
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert [str(e) for e in response.context["form"].errors["params_json"]] == [NOVEMBER_31]
    assert NOVEMBER_31 in response.content.decode()
    assert draft.indicators.get(code="U-FILE").params == {"deadline_month": 11, "deadline_day": 30}

    data["params_json"] = '{"deadline_month": 12, "deadline_day": 31}'
    assert client.post(url, data).status_code == 302
    assert draft.indicators.get(code="U-FILE").params == {"deadline_month": 12, "deadline_day": 31}


@pytest.mark.django_db
def test_a_draft_holding_an_impossible_date_is_not_published(world, draft):
    # Written past validation (as an edition saved before it existed would be).
    draft.indicators.filter(code="U-FILE").update(params={"deadline_month": 2, "deadline_day": 30})
    with pytest.raises(ValidationError) as refused:
        editing.publish(draft, world.officer)
    assert "截止日期2月30日不存在,请填写实际存在的日期。" in refused.value.message_dict["params"]
    draft.refresh_from_db()
    assert not draft.is_published
