"""The creation-activity page `/enrolments/`: the district (or the city) ticks the
communities of the year's activity, about 20% of them, seeing the share as it saves; only enrolled
communities can be submitted, so one whose self-check was submitted can no longer be removed.
A refused save changes nothing."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import SelfCheck
from demo.factories import CommunityFactory, EnrolmentFactory
from designations.models import Enrolment
from standards.models import StandardEdition

YEAR = timezone.localdate().year
URL = f"/enrolments/?year={YEAR}"


@pytest.fixture
def d1(world):
    """D1 holds five communities: c1 (T1), c2 (T2) and three more in T1."""
    world.more = [CommunityFactory(unit=world.t1, name=f"新村{n}社区") for n in range(3)]
    return [world.c1, world.c2, *world.more]


def _self_check(community, status=SelfCheck.Status.DRAFT, **fields):
    edition = StandardEdition.objects.current_for(community.unit.tenant_id, community.kind)
    return SelfCheck.objects.create(community=community, year=YEAR, edition=edition, status=status, **fields)


def _ids(communities):
    return [c.pk for c in communities]


def _enrolled(year=YEAR):
    return set(Enrolment.objects.filter(year=year).values_list("community_id", flat=True))


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_reviewer_enrols_two_communities_and_the_share_changes(world, client, d1):
    client.force_login(world.reviewer)
    page = client.get(URL)
    assert page.status_code == 200
    figure = page.context["figure"]
    assert (figure["percent"], figure["of"], figure["enrolled"], figure["target"]) == (0.0, 5, 0, 20.0)
    # by town, then name: T1's 幸福社区 and 新村…, then T2's 和平社区
    assert [c.pk for c in page.context["object_list"]] == _ids([world.c1, *world.more, world.c2])
    assert page.context["figure_unit"] == world.d1
    # the city (an ancestor the reviewer sees) shows the reviewer's part of it: D1 again
    assert client.get(f"{URL}&unit={world.city.pk}").context["figure_unit"] == world.d1
    html = page.content.decode()
    assert html.count('name="enrolled"') == 5 and 'data-testid="save"' in html

    saved = client.post(URL, {"year": YEAR, "shown": _ids(d1), "enrolled": [world.c1.pk, world.c2.pk]})
    assert saved.status_code == 302 and saved["Location"] == URL
    assert _messages(saved) == [f"已保存{YEAR}年度创建活动名单:新增2个,移出0个。"]
    assert _enrolled() == {world.c1.pk, world.c2.pk}
    assert {e.enrolled_by for e in Enrolment.objects.all()} == {world.reviewer}

    again = client.get(URL)
    figure = again.context["figure"]
    assert (figure["percent"], figure["enrolled"]) == (40.0, 2)
    assert "40.0%" in again.content.decode()
    ticked = {c.pk for c in again.context["object_list"] if c.enrolled}
    assert ticked == {world.c1.pk, world.c2.pk}


@pytest.mark.django_db
def test_unticking_a_shown_community_removes_it_and_leaves_the_others_alone(world, client, d1):
    for community in (world.c1, world.c2, world.more[0]):
        EnrolmentFactory(community=community, year=YEAR)
    EnrolmentFactory(community=world.c1, year=YEAR - 1)
    client.force_login(world.reviewer)
    # the page showed c1 and c2 (say, a search); more[0] was not on it
    response = client.post(
        URL, {"year": YEAR, "shown": [world.c1.pk, world.c2.pk], "enrolled": [world.c2.pk]}
    )
    assert response.status_code == 302
    assert _messages(response) == [f"已保存{YEAR}年度创建活动名单:新增0个,移出1个。"]
    assert _enrolled() == {world.c2.pk, world.more[0].pk}
    assert _enrolled(YEAR - 1) == {world.c1.pk}  # another year is another list

    unchanged = client.post(URL, {"year": YEAR, "shown": [world.c2.pk], "enrolled": [world.c2.pk]})
    assert _messages(unchanged)[-1] == "名单没有变化。"  # (the first message was never shown)


@pytest.mark.django_db
@pytest.mark.parametrize("outside", ["c3", "c_other"])
def test_an_id_outside_the_write_scope_refuses_the_whole_save(world, client, d1, outside):
    EnrolmentFactory(community=world.c2, year=YEAR)
    client.force_login(world.reviewer)
    foreign = getattr(world, outside)
    response = client.post(
        URL,
        {
            "year": YEAR,
            "shown": [world.c1.pk, world.c2.pk, foreign.pk],
            "enrolled": [world.c1.pk, foreign.pk],
        },
    )
    assert response.status_code == 400
    assert "所选社区中有不在您管辖范围内的社区,未作任何更改。" in response.content.decode()
    assert _enrolled() == {world.c2.pk}  # c1 not added, c2 not removed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [SelfCheck.Status.SUBMITTED, SelfCheck.Status.DISTRICT_APPROVED, SelfCheck.Status.ACCEPTED]
)
def test_removing_a_community_whose_self_check_was_submitted_is_refused(world, client, d1, status):
    EnrolmentFactory(community=world.c1, year=YEAR)
    _self_check(world.c1, status=status)
    client.force_login(world.reviewer)

    page = client.get(URL)
    row = next(c for c in page.context["object_list"] if c.pk == world.c1.pk)
    assert row.locked and not row.editable  # shown ticked and disabled, not among the page's ids
    assert f'name="shown" value="{world.c1.pk}"' not in page.content.decode()

    response = client.post(
        URL, {"year": YEAR, "shown": [world.c1.pk, world.c2.pk], "enrolled": [world.c2.pk]}
    )
    assert response.status_code == 409
    assert (
        f"幸福社区{YEAR}年度的自查已提交区县审核(或已审核),不能移出创建活动名单。未作任何更改。"
        in response.content.decode()
    )
    assert _enrolled() == {world.c1.pk}  # c2 not added either


@pytest.mark.django_db
@pytest.mark.parametrize("status", [SelfCheck.Status.DRAFT, SelfCheck.Status.RETURNED])
def test_an_open_self_check_does_not_hold_its_community_in_the_activity(world, client, d1, status):
    EnrolmentFactory(community=world.c1, year=YEAR)
    _self_check(world.c1, status=status)
    client.force_login(world.reviewer)
    response = client.post(URL, {"year": YEAR, "shown": [world.c1.pk], "enrolled": []})
    assert response.status_code == 302
    assert _enrolled() == set()


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["clerk", "reader", "reader_d1"])
def test_roles_without_enrol_see_it_read_only_and_may_not_post(world, client, d1, user):
    EnrolmentFactory(community=world.c1, year=YEAR)
    client.force_login(getattr(world, user))
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        'name="enrolled"' not in html
        and 'data-testid="save"' not in html
        and '<form method="post" data-testid' not in html
    )
    assert "已列入" in html and not page.context["may_enrol"]

    response = client.post(URL, {"year": YEAR, "shown": [world.c1.pk], "enrolled": [world.c2.pk]})
    assert response.status_code == 403
    assert _enrolled() == {world.c1.pk}


@pytest.mark.django_db
def test_anonymous_callers_are_sent_to_the_login(world, client):
    for response in (client.get(URL), client.post(URL, {"year": YEAR, "enrolled": [world.c1.pk]})):
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_a_city_officer_enrols_anywhere_in_the_city(world, client, d1):
    client.force_login(world.officer)
    page = client.get(URL)
    assert {c.pk for c in page.context["object_list"]} == {*_ids(d1), world.c3.pk}
    assert page.context["figure"]["of"] == 6

    response = client.post(
        URL, {"year": YEAR, "shown": [world.c1.pk, world.c3.pk], "enrolled": [world.c1.pk, world.c3.pk]}
    )
    assert response.status_code == 302
    assert _enrolled() == {world.c1.pk, world.c3.pk}
    assert client.get(URL).context["figure"]["percent"] == 33.3

    # the share of one district: D2 holds c3 alone
    district = client.get(f"{URL}&unit={world.d2.pk}")
    assert [c.pk for c in district.context["object_list"]] == [world.c3.pk]
    assert district.context["figure"]["percent"] == 100.0
    assert district.context["figure_unit"] == world.d2

    # another city's community is not this officer's to enrol
    refused = client.post(URL, {"year": YEAR, "shown": [world.c_other.pk], "enrolled": [world.c_other.pk]})
    assert refused.status_code == 400 and _enrolled() == {world.c1.pk, world.c3.pk}


@pytest.mark.django_db
def test_the_year_is_validated(world, client, d1):
    client.force_login(world.reviewer)
    assert client.get("/enrolments/")["Location"] == URL

    for year, message in (
        (YEAR + 1, "年度不能晚于今年。"),
        (1999, "年度不能早于2000年。"),
        ("abc", "年度须为整数。"),
    ):
        response = client.post(URL, {"year": year, "shown": [world.c1.pk], "enrolled": [world.c1.pk]})
        assert response.status_code == 400
        assert message in response.content.decode()
        page = client.get(f"/enrolments/?year={year}")
        assert page.status_code == 200 and message in page.content.decode()
        assert list(page.context["object_list"]) == [] and "figure" not in page.context
    assert client.post(URL, {"shown": [world.c1.pk]}).status_code == 400
    assert client.post(URL, {"year": YEAR, "enrolled": ["x"]}).status_code == 400
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_each_row_shows_the_year_s_proposed_level_and_score(world, client, d1):
    check = _self_check(world.c1, proposed_level="model", score="86.50")
    _self_check(world.c2, status=SelfCheck.Status.SUBMITTED)
    client.force_login(world.reviewer)
    rows = {c.pk: c for c in client.get(URL).context["object_list"]}
    assert (rows[world.c1.pk].check_id, rows[world.c1.pk].check_level_display) == (check.pk, "示范")
    assert str(rows[world.c1.pk].check_score) == "86.50"
    assert rows[world.c2.pk].check_status_display == "已提交"
    assert rows[world.more[0].pk].check_id is None
    # last year's list knows nothing of this year's self-checks
    old = {c.pk: c for c in client.get(f"/enrolments/?year={YEAR - 1}").context["object_list"]}
    assert old[world.c1.pk].check_id is None


@pytest.mark.django_db
def test_the_list_takes_the_same_queries_however_many_rows(world, client, d1):
    client.force_login(world.officer)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    few = queries()
    for n in range(8):
        community = CommunityFactory(unit=world.t3, name=f"增设{n}社区")
        _self_check(community)
        EnrolmentFactory(community=community, year=YEAR)
    assert queries() == few


@pytest.mark.django_db
def test_filters_by_unit_kind_and_name(world, client, d1):
    client.force_login(world.officer)

    def shown(query):
        return [c.pk for c in client.get(f"{URL}&{query}").context["object_list"]]

    assert shown(f"unit={world.t2.pk}") == [world.c2.pk]
    assert shown("kind=rural") == [world.c3.pk]
    assert shown("search=幸福") == [world.c1.pk]
    # a unit the caller cannot see is refused on the field, never a probe
    page = client.get(f"{URL}&unit={world.other_town.pk}")
    assert list(page.context["object_list"]) == [] and page.context["filter_form"].errors


@pytest.mark.django_db
def test_the_self_check_list_links_to_the_page(world, client):
    client.force_login(world.reviewer)
    html = client.get(f"/self-checks/?year={YEAR}").content.decode()
    assert f'href="/enrolments/?year={YEAR}&unit="' in html and "创建活动名单" in html
