"""Object-level exceptions (django-guardian `view_community`): a city officer names one user, e.g. an
inspector, who may then read exactly that community and its records (pages and API), never its
neighbours, never write, and loses it when the grant is withdrawn."""

import pytest
from guardian.shortcuts import get_users_with_perms

from communities.models import Community
from core.roles import Role
from demo.factories import CommunityFactory, TownFactory, UserFactory
from tests.records.cases_communities_life import make_meeting


@pytest.fixture
def inspector(world):
    # Placed at a town without communities: whatever the inspector sees comes from a grant.
    return UserFactory(
        username="inspector", full_name="检查员", unit=TownFactory(parent=world.d2), role=Role.API_READER
    )


@pytest.fixture
def neighbour(world):
    """A second community of the granted community's own town."""
    return CommunityFactory(unit=world.t3, name="四十里镇新华社区")


def grant(client, officer, community, username):
    client.force_login(officer)
    return client.post(f"/communities/{community.pk}/viewers/", {"username": username})


def revoke(client, officer, community, user):
    client.force_login(officer)
    return client.post(f"/communities/{community.pk}/viewers/", {"revoke": user.pk})


def api_ids(api, user, url):
    return sorted(row["id"] for row in api.as_user(user).get(url).json()["results"])


def test_without_a_grant_the_inspector_sees_nothing(world, api, client, inspector):
    assert api_ids(api, inspector, "/api/v1/communities/") == []
    assert api.as_user(inspector).get(f"/api/v1/communities/{world.c3.pk}/").status_code == 404
    client.force_login(inspector)
    assert client.get(f"/communities/{world.c3.pk}/").status_code == 404


def test_a_granted_inspector_reads_exactly_that_community(world, api, client, inspector, neighbour):
    response = grant(client, world.officer, world.c3, "inspector")
    assert response.status_code == 302
    assert set(get_users_with_perms(world.c3, only_with_perms_in=["view_community"])) == {inspector}

    # API: list and detail.
    assert api_ids(api, inspector, "/api/v1/communities/") == [world.c3.pk]
    reader = api.as_user(inspector)
    assert reader.get(f"/api/v1/communities/{world.c3.pk}/").json()["name"] == "四十里镇红光社区"
    for other in (neighbour, world.c1, world.c2, world.c_other):
        assert reader.get(f"/api/v1/communities/{other.pk}/").status_code == 404, other

    # Pages: list and detail.
    client.force_login(inspector)
    listing = client.get("/communities/").content.decode()
    assert "四十里镇红光社区" in listing
    assert all(name not in listing for name in ("四十里镇新华社区", "幸福社区", "和平社区", "乙社区"))
    assert client.get(f"/communities/{world.c3.pk}/").status_code == 200
    for other in (neighbour, world.c1, world.c2, world.c_other):
        assert client.get(f"/communities/{other.pk}/").status_code == 404, other


def test_the_grant_reaches_the_community_s_records_only(world, api, client, inspector, neighbour):
    granted, beside = make_meeting(world.c3), make_meeting(neighbour)
    grant(client, world.officer, world.c3, "inspector")
    assert api_ids(api, inspector, "/api/v1/meetings/") == [granted.pk]
    assert api.as_user(inspector).get(f"/api/v1/meetings/{beside.pk}/").status_code == 404
    client.force_login(inspector)
    assert client.get(f"/records/meetings/{granted.pk}/").status_code == 200
    assert client.get(f"/records/meetings/{beside.pk}/").status_code == 404


def test_the_grant_is_read_only(world, api, client, inspector):
    grant(client, world.officer, world.c3, "inspector")
    reader = api.as_user(inspector)
    assert reader.patch(f"/api/v1/communities/{world.c3.pk}/", {"households": 9}).status_code == 403
    client.force_login(inspector)
    assert client.get(f"/communities/{world.c3.pk}/edit/").status_code == 403
    world.c3.refresh_from_db()
    assert world.c3.households == 1500


def test_withdrawing_the_grant_takes_the_community_away(world, api, client, inspector):
    grant(client, world.officer, world.c3, "inspector")
    assert api_ids(api, inspector, "/api/v1/communities/") == [world.c3.pk]

    assert revoke(client, world.officer, world.c3, inspector).status_code == 302
    assert api_ids(api, inspector, "/api/v1/communities/") == []
    assert api.as_user(inspector).get(f"/api/v1/communities/{world.c3.pk}/").status_code == 404
    client.force_login(inspector)
    assert client.get(f"/communities/{world.c3.pk}/").status_code == 404


@pytest.mark.parametrize("granter,status", [("clerk_t3", 403), ("reviewer", 404), ("other_officer", 404)])
def test_only_the_city_s_user_manager_grants(world, client, inspector, granter, status):
    """The clerk of the town and the reviewer of another district may not; another city's officer
    does not even see the community."""
    assert grant(client, getattr(world, granter), world.c3, "inspector").status_code == status
    assert not Community.objects.visible_to(inspector).exists()


def test_a_user_of_another_city_cannot_be_named(world, client):
    outsider = UserFactory(username="outsider", unit=world.other_town, role=Role.API_READER)
    response = grant(client, world.officer, world.c3, "outsider")
    assert response.status_code == 302
    assert list(get_users_with_perms(world.c3, only_with_perms_in=["view_community"])) == []
    client.force_login(outsider)
    assert client.get(f"/communities/{world.c3.pk}/").status_code == 404
