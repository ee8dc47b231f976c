"""Names of people, units and communities refuse invisible and direction-changing characters, and a
community's founding date lies between 1949-10-01 and today: on the page, in the API and in the
Excel import alike, with the same Chinese message, and nothing is saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from communities.imports import run_import
from communities.models import Community
from core.models import Unit, User
from core.validators import INVISIBLE_CHARS, validate_visible_text
from demo.workbooks import workbook
from personnel.models import Member
from tests.communities.test_import import GOOD_MEMBER
from tests.communities.test_pages import GOOD as COMMUNITY

ROW = ["东华街道", "光华社区", "城市社区", "普通型", 2600, 7300, "2012-05-01", "朝阳路8号", "0471-6612345"]
# A member of the world's 幸福社区, otherwise the import tests' good row.
MEMBER_ROW = [GOOD_MEMBER[0], "幸福社区", *GOOD_MEMBER[2:]]
MESSAGE = "名称中不能含有看不见的字符或文字方向控制字符"
# Every character the rule names, as code points.
NAMED = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x2010), 0xFEFF, 0x2060]
# A right-to-left override turns "社区" + "evil" around on screen; a zero-width space hides in a name.
TRICKS = ["光华\u202e社区", "光\u200b华社区", "\ufeff光华社区", "光华社区\u2066", "光华\u2060社区"]


def test_the_rule_names_exactly_the_listed_characters():
    assert INVISIBLE_CHARS == {chr(code) for code in NAMED}
    for code in NAMED:
        with pytest.raises(ValidationError) as refused:
            validate_visible_text(f"光华{chr(code)}社区")
        assert f"U+{code:04X}" in refused.value.messages[0]
    validate_visible_text("光华社区·一期 (A-1)")  # ordinary punctuation stays allowed


@pytest.mark.parametrize("name", TRICKS)
def test_the_page_refuses_the_name(world, name):
    client = Client()
    client.force_login(world.clerk)
    response = client.post("/communities/new/", {**COMMUNITY, "name": name, "unit": world.t1.pk})
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not Community.objects.filter(unit=world.t1, name__contains="光").exists()


@pytest.mark.parametrize("name", TRICKS)
def test_the_api_refuses_the_name_keyed_by_field(world, api, name):
    body = {**COMMUNITY, "name": name, "unit": world.t1.pk}
    response = api.as_user(world.clerk).post("/api/v1/communities/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["name"] and MESSAGE in response.json()["name"][0]


def test_the_api_refuses_a_persons_name(world, api):
    body = {"community": world.c1.pk, "name": "刘\u202e洋", "body": "residents_committee", "role": "member"}
    response = api.as_user(world.clerk).post("/api/v1/members/", body, format="json")
    assert response.status_code == 400 and MESSAGE in response.json()["name"][0]
    assert not Member.objects.exists()


def test_the_import_refuses_community_and_person_names(world):
    report = run_import(
        world.clerk,
        workbook([[ROW[0], "光\u200b华社区", *ROW[2:]]], [[*MEMBER_ROW[:2], "刘\u2067洋", *MEMBER_ROW[3:]]]),
        check_only=False,
    )
    assert any("社区名称" in error and MESSAGE in error for error in report.errors)
    assert any("姓名" in error and MESSAGE in error for error in report.errors)
    assert not Community.objects.filter(name__contains="华社区").exists() and not Member.objects.exists()


def test_user_and_unit_names_take_the_rule(world):
    user = User(
        username="zhang", full_name="张\u200d三", tenant=world.tenant, unit=world.t1, role="town_clerk"
    )
    with pytest.raises(ValidationError) as refused:
        user.full_clean()
    assert "full_name" in refused.value.message_dict
    unit = Unit(tenant=world.tenant, parent=world.d1, name="新\u202a镇", tier="town")
    with pytest.raises(ValidationError) as refused:
        unit.full_clean()
    assert "name" in refused.value.message_dict


def test_the_officers_user_form_refuses_the_name(world):
    client = Client()
    client.force_login(world.officer)
    form = {
        "username": "zhangsan",
        "full_name": "张\u202e三",
        "phone": "",
        "email": "",
        "unit": world.t1.pk,
        "role": "town_clerk",
        "is_active": "on",
        "password": "Qiang-Mima-2026",
    }
    response = client.post("/users/new/", form)
    assert response.status_code == 200 and MESSAGE in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()


# ---- established_on ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "day,message",
    [("1949-09-30", "成立日期不能早于1949年10月1日。"), ("1900-01-01", "成立日期不能早于1949年10月1日。")],
)
def test_a_founding_date_before_1949_is_refused_everywhere(world, api, day, message):
    client = Client()
    client.force_login(world.clerk)
    page = client.post("/communities/new/", {**COMMUNITY, "established_on": day, "unit": world.t1.pk})
    assert page.status_code == 200 and message in page.content.decode()

    body = {**COMMUNITY, "established_on": day, "unit": world.t1.pk}
    response = api.as_user(world.clerk).post("/api/v1/communities/", body, format="json")
    assert response.status_code == 400 and response.json()["established_on"] == [message]

    report = run_import(world.clerk, workbook([[*ROW[:6], day, *ROW[7:]]]), check_only=False)
    assert f"“社区”第2行 成立日期:{message}" in report.errors
    assert not Community.objects.filter(name="光华社区").exists()


def test_the_founding_date_bounds_are_inclusive(world, api):
    client = api.as_user(world.clerk)
    first = client.post(
        "/api/v1/communities/",
        {**COMMUNITY, "established_on": "1949-10-01", "unit": world.t1.pk},
        format="json",
    )
    assert first.status_code == 201, first.content
    today = datetime.date.today().isoformat()
    body = {**COMMUNITY, "name": "今日社区", "established_on": today, "unit": world.t1.pk}
    assert client.post("/api/v1/communities/", body, format="json").status_code == 201
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    body = {**COMMUNITY, "name": "明日社区", "established_on": tomorrow, "unit": world.t1.pk}
    refused = client.post("/api/v1/communities/", body, format="json")
    assert refused.status_code == 400 and refused.json()["established_on"] == ["日期不能晚于今天。"]
