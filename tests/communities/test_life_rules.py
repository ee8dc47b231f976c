"""Rules of the community-life records: kinds of community each record belongs to, one a year,
field-keyed Chinese refusals, warnings for valid-but-unusual values, read-only confirmation, filters."""

import datetime

import pytest

from communities import records
from communities.models import (
    Disclosure,
    MemberVillage,
    Organization,
    VillageRecognition,
    VolunteerRegistration,
)
from demo.factories import CommunityFactory
from tests.records.cases_communities_life import (
    LAST_YEAR,
    THIS_YEAR,
    TWO_YEARS_AGO,
    as_kind,
    make_activity,
    make_meeting,
    make_member_village,
    make_organization,
    make_village_recognition,
    make_volunteer_registration,
)

LIFE_SLUGS = [
    "organizations",
    "activities",
    "meetings",
    "disclosures",
    "volunteer-registrations",
    "member-villages",
    "village-recognitions",
]


@pytest.fixture
def clerk_api(world, api):
    return api.as_user(world.clerk)


@pytest.fixture
def clerk_client(world, client):
    client.force_login(world.clerk)
    return client


def post(client, slug, body):
    return client.post(f"/api/v1/{slug}/", body, format="json")


# ---- registration ----------------------------------------------------------------------------
def test_community_life_types_are_registered_in_their_section():
    registered = {rt.slug: rt for rt in records.all_types()}
    for slug in LIFE_SLUGS:
        assert registered[slug].section == "社区生活"


@pytest.mark.parametrize("slug", LIFE_SLUGS)
def test_the_town_clerk_gets_the_new_record_form(world, clerk_client, slug):
    response = clerk_client.get(f"/records/{slug}/new/")
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["community"].queryset) == [world.c1]
    assert records.get(slug).title in response.content.decode()


@pytest.mark.parametrize("slug", LIFE_SLUGS)
def test_list_pages_render_with_their_filters(world, clerk_client, slug):
    response = clerk_client.get(f"/records/{slug}/?community={world.c1.pk}")
    assert response.status_code == 200


def test_api_fields_promised_in_api_md(world, clerk_api):
    make_organization(world.c1)
    make_activity(world.c1)
    make_meeting(world.c1)
    promised = {
        "organizations": {"id", "community", "kind", "name"},
        "activities": {"id", "community", "kind", "held_on", "title"},
        "meetings": {"id", "community", "kind", "held_on"},
    }
    for slug, fields in promised.items():
        row = clerk_api.get(f"/api/v1/{slug}/").json()["results"][0]
        assert fields <= set(row), slug
        assert {"warnings", "created_at", "updated_at"} <= set(row)


def test_the_schema_describes_the_new_endpoints():
    """Built from these record types only, so another area's unfinished serializer cannot hide ours."""
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.routers import DefaultRouter

    from communities.api.records import viewset_for

    router = DefaultRouter()
    for slug in LIFE_SLUGS:
        router.register(slug, viewset_for(records.get(slug)), basename=slug)
    schema = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(public=True)
    for slug in LIFE_SLUGS:
        assert f"/api/v1/{slug}/" in schema["paths"], slug
    components = schema["components"]["schemas"]
    assert components["Meeting"]["properties"]["minutes"]["format"] == "uri"
    assert components["DisclosureRequest"]["properties"]["topics"]["type"] == "array"
    assert components["VillageRecognition"]["properties"]["confirmed_by_district"]["readOnly"] is True
    assert "confirmed_by_district" not in components["VillageRecognitionRequest"]["properties"]
    assert components["MemberVillage"]["properties"]["distance_km"]["type"] == "number"


# ---- organisations ---------------------------------------------------------------------------
def test_an_organisation_name_is_unique_in_its_community(world, clerk_api):
    make_organization(world.c1, name="夕阳红艺术团")
    response = post(
        clerk_api, "organizations", {"community": world.c1.pk, "kind": "social", "name": "夕阳红艺术团"}
    )
    assert response.status_code == 400
    assert response.json() == {"name": ["本社区已登记同名组织。"]}
    assert Organization.objects.count() == 1
    # the same name in another community is fine
    make_organization(world.c2, name="夕阳红艺术团")


def test_an_organisation_refusals_are_chinese_and_keyed(world, clerk_client):
    body = {
        "community": world.c1.pk,
        "kind": "social",
        "name": "舞蹈队",
        "registered_on": "2999-01-01",
        "members_count": "0",
    }
    response = clerk_client.post("/records/organizations/new/", body)
    errors = response.context["form"].errors
    assert errors["registered_on"] == ["日期不能晚于今天。"]
    assert errors["members_count"] == ["成员人数必须为正整数。"]
    assert not Organization.objects.exists()


def test_an_owners_committee_in_a_village_is_saved_with_a_warning(world, clerk_api):
    as_kind(world.c1, "village")
    response = post(
        clerk_api, "organizations", {"community": world.c1.pk, "kind": "owners_committee", "name": "业委会"}
    )
    assert response.status_code == 201
    assert response.json()["warnings"] == ["业主委员会一般设在有物业小区的城市社区,请核对类别。"]


# ---- activities and meetings -----------------------------------------------------------------
def test_activity_warnings_for_dates_before_the_community_and_crowds_above_its_residents(world, clerk_api):
    body = {
        "community": world.c1.pk,
        "kind": "culture",
        "held_on": "2009-06-01",
        "title": "广场舞比赛",
        "participants": 9000,
    }
    response = post(clerk_api, "activities", body)
    assert response.status_code == 201
    assert response.json()["warnings"] == [
        "活动日期早于社区成立日期(2010-05-01),请核对。",
        "参加人数(9000)超过社区人口(6800),请核对。",
    ]


def test_a_meeting_without_minutes_warns_on_the_api_and_the_page(world, clerk_api, clerk_client):
    body = {
        "community": world.c1.pk,
        "kind": "party_joint",
        "held_on": f"{LAST_YEAR}-03-30",
        "topic": "一季度工作",
    }
    response = post(clerk_api, "meetings", body)
    assert response.status_code == 201
    assert response.json()["warnings"] == ["未上传会议记录。"]
    page = clerk_client.get(f"/records/meetings/{response.json()['id']}/").content.decode()
    assert "未上传会议记录。" in page


@pytest.mark.parametrize(
    "community_kind,meeting_kind,warned",
    [
        ("village", "residents", True),
        ("village", "party_joint", True),
        ("village", "two_committees", False),
        ("urban", "villagers", True),
        ("urban", "two_committees", True),
        ("urban", "units_joint", False),
        ("rural", "residents", False),
        ("rural", "villagers", False),
    ],
)
def test_a_meeting_of_the_other_kind_of_community_is_saved_with_a_warning(
    world, community_kind, meeting_kind, warned
):
    as_kind(world.c1, community_kind)
    meeting = make_meeting(world.c1, kind=meeting_kind)
    extra = [w for w in meeting.warnings if w != "未上传会议记录。"]
    assert bool(extra) == warned, extra


def test_meetings_filter_by_kind_year_and_date_range(world, clerk_api):
    make_meeting(world.c1, kind="residents", held_on=datetime.date(TWO_YEARS_AGO, 12, 28))
    q1 = make_meeting(world.c1, kind="residents", held_on=datetime.date(LAST_YEAR, 1, 10))
    q4 = make_meeting(world.c1, kind="residents", held_on=datetime.date(LAST_YEAR, 12, 10))
    make_meeting(world.c1, kind="consultation", held_on=datetime.date(LAST_YEAR, 6, 1))

    def ids(query):
        response = clerk_api.get(f"/api/v1/meetings/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(f"kind=residents&year={LAST_YEAR}") == {q1.pk, q4.pk}
    assert ids(f"kind=residents&held_on_after={LAST_YEAR}-10-01&held_on_before={LAST_YEAR}-12-31") == {q4.pk}
    assert clerk_api.get("/api/v1/meetings/?kind=council").status_code == 400


@pytest.mark.parametrize("slug", ["meetings", "activities", "disclosures"])
@pytest.mark.parametrize("year", ["0", "10000", "2024.5", "x"])
def test_a_year_filter_no_date_can_hold_is_a_400_on_the_field(world, clerk_api, slug, year):
    # Found by `make fuzz`: `?year=0` reached the date lookup and answered 500.
    response = clerk_api.get(f"/api/v1/{slug}/?year={year}")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["year"]


def test_activities_filter_by_kind_and_year(world, clerk_api):
    wanted = make_activity(world.c1, kind="mutual_aid", held_on=datetime.date(LAST_YEAR, 9, 9))
    make_activity(world.c1, kind="mutual_aid", held_on=datetime.date(TWO_YEARS_AGO, 9, 9))
    make_activity(world.c1, kind="culture", held_on=datetime.date(LAST_YEAR, 9, 9))
    rows = clerk_api.get(f"/api/v1/activities/?kind=mutual_aid&year={LAST_YEAR}").json()["results"]
    assert [row["id"] for row in rows] == [wanted.pk]


# ---- disclosures -----------------------------------------------------------------------------
DISCLOSURE = {"published_on": f"{LAST_YEAR}-04-02", "channel": "board"}


def test_a_disclosure_needs_at_least_one_topic(world, clerk_api, clerk_client):
    response = post(clerk_api, "disclosures", {**DISCLOSURE, "community": world.c1.pk, "topics": []})
    assert response.status_code == 400
    assert response.json() == {"topics": ["请至少选择一项公开内容。"]}
    response = post(clerk_api, "disclosures", {**DISCLOSURE, "community": world.c1.pk})
    assert response.json() == {"topics": ["请至少选择一项公开内容。"]}
    response = clerk_client.post("/records/disclosures/new/", {**DISCLOSURE, "community": world.c1.pk})
    assert response.context["form"].errors["topics"] == ["请至少选择一项公开内容。"]
    assert not Disclosure.objects.exists()


def test_a_disclosure_keeps_codes_in_the_api_and_shows_labels_on_the_page(world, clerk_api, clerk_client):
    body = {**DISCLOSURE, "community": world.c1.pk, "topics": ["plans", "finances"]}
    response = post(clerk_api, "disclosures", body)
    assert response.status_code == 201
    assert response.json()["topics"] == ["plans", "finances"]
    assert response.json()["warnings"] == ["未上传公开材料(照片或文件)。"]
    page = clerk_client.get(f"/records/disclosures/{response.json()['id']}/").content.decode()
    assert "工作计划" in page and "财务收支" in page


def test_a_disclosure_page_form_takes_checkboxes(world, clerk_client):
    body = {**DISCLOSURE, "community": world.c1.pk, "topics": ["work", "major"]}
    response = clerk_client.post("/records/disclosures/new/", body)
    assert response.status_code == 302
    assert Disclosure.objects.get().topics == ["work", "major"]


def test_an_unknown_topic_is_refused(world, clerk_api):
    response = post(
        clerk_api, "disclosures", {**DISCLOSURE, "community": world.c1.pk, "topics": ["plans", "salaries"]}
    )
    assert response.status_code == 400 and "topics" in response.json()


# ---- volunteer registrations -----------------------------------------------------------------
def test_one_volunteer_count_per_community_and_year(world, clerk_api, clerk_client):
    make_volunteer_registration(world.c1, year=LAST_YEAR)
    body = {"community": world.c1.pk, "year": LAST_YEAR, "registered": 10}
    response = post(clerk_api, "volunteer-registrations", body)
    assert response.status_code == 400
    assert response.json() == {"year": ["该社区本年度的志愿者注册人数已登记。"]}
    response = clerk_client.post("/records/volunteer-registrations/new/", body)
    assert response.context["form"].errors["year"] == ["该社区本年度的志愿者注册人数已登记。"]
    assert VolunteerRegistration.objects.count() == 1
    # another year, or another community, is fine
    assert post(clerk_api, "volunteer-registrations", {**body, "year": TWO_YEARS_AGO}).status_code == 201
    CommunityFactory(unit=world.t1, name="安康社区")
    other = world.t1.communities.get(name="安康社区")
    assert post(clerk_api, "volunteer-registrations", {**body, "community": other.pk}).status_code == 201


def test_editing_a_volunteer_count_keeps_its_year(world, clerk_api):
    registration = make_volunteer_registration(world.c1, year=LAST_YEAR)
    response = clerk_api.patch(
        f"/api/v1/volunteer-registrations/{registration.pk}/", {"registered": 0}, format="json"
    )
    assert response.status_code == 200, response.content


def test_moving_a_volunteer_count_onto_a_taken_year_is_refused(world, clerk_api):
    make_volunteer_registration(world.c1, year=LAST_YEAR)
    other = make_volunteer_registration(world.c1, year=TWO_YEARS_AGO)
    response = clerk_api.patch(
        f"/api/v1/volunteer-registrations/{other.pk}/", {"year": LAST_YEAR}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["year"]


@pytest.mark.parametrize(
    "change,message",
    [
        ({"year": THIS_YEAR + 1}, "年度不能晚于今年。"),
        ({"year": 1999}, "年度不能早于2000年。"),
        ({"registered": -5}, "注册志愿者人数不能为负数。"),
    ],
)
def test_volunteer_count_refusals(world, clerk_api, change, message):
    body = {"community": world.c1.pk, "year": LAST_YEAR, "registered": 10, **change}
    response = post(clerk_api, "volunteer-registrations", body)
    assert response.status_code == 400
    assert response.json() == {next(iter(change)): [message]}


def test_this_year_is_allowed(world, clerk_api):
    body = {"community": world.c1.pk, "year": THIS_YEAR, "registered": 0}
    assert post(clerk_api, "volunteer-registrations", body).status_code == 201


def test_more_volunteers_than_residents_is_saved_with_a_warning(world, clerk_api):
    body = {"community": world.c1.pk, "year": LAST_YEAR, "registered": 6801}
    response = post(clerk_api, "volunteer-registrations", body)
    assert response.status_code == 201
    assert response.json()["warnings"] == ["注册志愿者人数(6801)超过社区人口(6800),请核对。"]
    fine = make_volunteer_registration(world.c1, year=TWO_YEARS_AGO, registered=6800)
    assert fine.warnings == []


# ---- member villages (R-SCOPE) ---------------------------------------------------------------
VILLAGE = {"name": "前进村", "distance_km": "2.5", "population": 800, "households": 260}


@pytest.mark.parametrize("kind", ["urban", "village"])
def test_member_villages_only_for_a_rural_community(world, clerk_api, clerk_client, kind):
    as_kind(world.c1, kind)
    response = post(clerk_api, "member-villages", {**VILLAGE, "community": world.c1.pk})
    assert response.status_code == 400
    assert response.json() == {"community": ["只有农村社区(中心村型)才登记所辖村。"]}
    response = clerk_client.post("/records/member-villages/new/", {**VILLAGE, "community": world.c1.pk})
    assert response.context["form"].errors["community"] == ["只有农村社区(中心村型)才登记所辖村。"]
    assert not MemberVillage.objects.exists()


def test_member_village_of_the_rural_community_in_scope(world, api):
    response = post(api.as_user(world.clerk_t3), "member-villages", {**VILLAGE, "community": world.c3.pk})
    assert response.status_code == 201, response.content
    assert response.json()["distance_km"] == 2.5
    assert response.json()["warnings"] == []


@pytest.mark.parametrize(
    "distance,warned", [("0", False), ("3", False), ("3.0", False), ("3.1", True), ("12.5", True)]
)
def test_a_village_beyond_the_service_radius_is_saved_with_a_warning(world, api, distance, warned):
    response = post(
        api.as_user(world.clerk_t3),
        "member-villages",
        {**VILLAGE, "community": world.c3.pk, "distance_km": distance},
    )
    assert response.status_code == 201, response.content
    warnings = response.json()["warnings"]
    assert bool(warnings) == warned
    if warned:
        assert "R-SCOPE" in warnings[0] and "3 公里" in warnings[0]


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"distance_km": "-0.5"}, "distance_km", "距离不能为负数。"),
        ({"population": 0}, "population", "人口必须为正整数。"),
        ({"households": 0}, "households", "户数必须为正整数。"),
        ({"households": 801}, "households", "户数不能多于人口。"),
    ],
)
def test_member_village_refusals(world, api, change, field, message):
    response = post(
        api.as_user(world.clerk_t3), "member-villages", {**VILLAGE, "community": world.c3.pk, **change}
    )
    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_member_village_names_are_unique_in_the_community(world, api):
    make_member_village(world.c3, name="前进村")
    response = post(api.as_user(world.clerk_t3), "member-villages", {**VILLAGE, "community": world.c3.pk})
    assert response.json() == {"name": ["本社区已登记同名村。"]}


def test_member_villages_may_omit_households(world, api):
    body = {**VILLAGE, "community": world.c3.pk}
    del body["households"]
    assert post(api.as_user(world.clerk_t3), "member-villages", body).status_code == 201


# ---- 五个好 (village recognitions) ------------------------------------------------------------
RECOGNITION = {"year": LAST_YEAR, "recognised": True}


@pytest.mark.parametrize("kind", ["urban", "rural"])
def test_recognitions_only_for_a_village(world, clerk_api, clerk_client, kind):
    as_kind(world.c1, kind)
    response = post(clerk_api, "village-recognitions", {**RECOGNITION, "community": world.c1.pk})
    assert response.status_code == 400
    assert response.json() == {"community": ["“五个好”认定只适用于行政村(嘎查)。"]}
    response = clerk_client.post(
        "/records/village-recognitions/new/",
        {"year": LAST_YEAR, "recognised": "on", "community": world.c1.pk},
    )
    assert response.context["form"].errors["community"] == ["“五个好”认定只适用于行政村(嘎查)。"]
    assert not VillageRecognition.objects.exists()


def test_one_recognition_per_village_and_year(world, clerk_api):
    make_village_recognition(world.c1, year=LAST_YEAR)
    response = post(clerk_api, "village-recognitions", {**RECOGNITION, "community": world.c1.pk})
    assert response.status_code == 400
    assert response.json() == {"year": ["该村本年度已有“五个好”认定记录。"]}


def test_district_confirmation_is_read_only_in_the_api(world, clerk_api):
    as_kind(world.c1, "village")
    response = post(
        clerk_api,
        "village-recognitions",
        {**RECOGNITION, "community": world.c1.pk, "confirmed_by_district": True},
    )
    assert response.status_code == 201
    assert response.json()["confirmed_by_district"] is False
    pk = response.json()["id"]
    response = clerk_api.patch(
        f"/api/v1/village-recognitions/{pk}/", {"confirmed_by_district": True}, format="json"
    )
    assert response.status_code == 200
    assert VillageRecognition.objects.get(pk=pk).confirmed_by_district is False


def test_district_confirmation_is_read_only_in_the_town_form(world, clerk_client):
    as_kind(world.c1, "village")
    form = clerk_client.get("/records/village-recognitions/new/").context["form"]
    assert form.fields["confirmed_by_district"].disabled
    body = {"community": world.c1.pk, "year": LAST_YEAR, "recognised": "on", "confirmed_by_district": "on"}
    assert clerk_client.post("/records/village-recognitions/new/", body).status_code == 302
    recognition = VillageRecognition.objects.get()
    assert recognition.recognised and not recognition.confirmed_by_district
    # a confirmed recognition stays confirmed when the town edits it
    VillageRecognition.objects.filter(pk=recognition.pk).update(confirmed_by_district=True)
    body.pop("confirmed_by_district")
    body["note"] = "补充说明"
    assert clerk_client.post(f"/records/village-recognitions/{recognition.pk}/edit/", body).status_code == 302
    assert VillageRecognition.objects.get().confirmed_by_district is True


def test_a_recognition_without_evidence_is_saved_with_a_warning(world, clerk_api):
    as_kind(world.c1, "village")
    response = post(clerk_api, "village-recognitions", {**RECOGNITION, "community": world.c1.pk})
    assert response.json()["warnings"] == ["认定为达到“五个好”标准,但未上传佐证材料。"]
    response = post(
        clerk_api,
        "village-recognitions",
        {"community": world.c1.pk, "year": TWO_YEARS_AGO, "recognised": False},
    )
    assert response.json()["warnings"] == []


# ---- the community page ----------------------------------------------------------------------
def test_the_community_page_groups_them_under_community_life(world, clerk_client):
    make_meeting(world.c1)
    make_activity(world.c1)
    page = clerk_client.get(f"/communities/{world.c1.pk}/").content.decode()
    assert "社区生活" in page
    assert 'data-record="meetings"' in page and 'data-record="activities"' in page


# ---- exports ---------------------------------------------------------------------------------
def test_a_filtered_meeting_export_keeps_the_filters_and_shows_labels(
    world, client, settings, tmp_path, eager_tasks, django_capture_on_commit_callbacks
):
    import io

    from openpyxl import load_workbook

    from core.models import Job

    settings.MEDIA_ROOT = tmp_path / "private"
    make_meeting(world.c1, kind="residents", held_on=datetime.date(LAST_YEAR, 1, 10))
    make_meeting(world.c1, kind="residents", held_on=datetime.date(LAST_YEAR, 12, 10), topic="年终总结")
    make_meeting(world.c1, kind="consultation", held_on=datetime.date(LAST_YEAR, 12, 11))
    make_meeting(world.c3, kind="residents", held_on=datetime.date(LAST_YEAR, 12, 12))
    client.force_login(world.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/exports/meetings/", {"kind": "residents", "held_on_after": f"{LAST_YEAR}-10-01"})
    job = Job.objects.get(owner=world.reviewer)
    assert job.state == Job.State.DONE and job.total == 1
    download = client.get(f"/jobs/{job.pk}/download/")
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values)
    assert rows[0] == (
        "系统ID",
        "区县",
        "乡镇(街道)",
        "社区",
        "会议日期",
        "会议类别",
        "议题",
        "参会人数",
        "会议记录",
    )
    assert rows[1][3:] == ("幸福社区", datetime.datetime(LAST_YEAR, 12, 10), "居民会议", "年终总结", "—", "—")
