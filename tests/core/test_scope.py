"""The one scoping mechanism: unit paths, subtree filters, guardian exceptions, write re-checks."""

import pytest
from django.core.exceptions import PermissionDenied
from guardian.shortcuts import assign_perm

from communities.models import Community
from core.models import Job, Unit, User
from core.scope import assert_within_scope
from demo.factories import CommunityFactory, TownFactory, UserFactory


def names(queryset):
    return sorted(str(obj) for obj in queryset)


def test_unit_paths_follow_the_tree(world):
    assert world.city.path == f"{world.city.pk}/"
    assert world.t1.path == f"{world.city.pk}/{world.d1.pk}/{world.t1.pk}/"
    assert world.t1.ancestor_ids == [world.city.pk, world.d1.pk]
    assert world.t1.is_within(world.d1) and not world.t3.is_within(world.d1)


def test_moving_a_unit_rewrites_its_subtree(world):
    world.t1.parent = world.d2
    world.t1.save()
    world.c1.refresh_from_db()
    assert Unit.objects.get(pk=world.t1.pk).path.startswith(world.d2.path)
    # the district reviewer of D1 no longer sees T1's community; nothing else changed
    assert world.c1 not in Community.objects.visible_to(world.reviewer)
    assert world.c2 in Community.objects.visible_to(world.reviewer)


def test_similar_id_prefixes_do_not_leak(world):
    """Paths are compared with their trailing slash: unit 1 must not match unit 12."""
    towns = [TownFactory(parent=world.d1) for _ in range(12)]
    for town in towns:
        CommunityFactory(unit=town)
    clerk = UserFactory(unit=towns[0])
    visible = Community.objects.visible_to(clerk)
    assert {c.unit_id for c in visible} == {towns[0].pk}


@pytest.mark.parametrize(
    "user,expected",
    [
        ("clerk", ["幸福社区"]),
        ("clerk_t3", ["四十里镇红光社区"]),
        ("reviewer", ["和平社区", "幸福社区"]),
        ("officer", ["和平社区", "四十里镇红光社区", "幸福社区"]),
        ("reader", ["和平社区", "四十里镇红光社区", "幸福社区"]),
        ("reader_d1", ["和平社区", "幸福社区"]),
        ("other_officer", ["乙社区"]),
    ],
)
def test_visible_to_is_the_role_subtree(world, user, expected):
    assert names(Community.objects.visible_to(getattr(world, user))) == expected


def test_units_show_subtree_and_ancestors(world):
    assert names(Unit.objects.visible_to(world.clerk)) == ["东华街道", "东城区", "甲市"]
    assert names(Unit.objects.within_scope(world.clerk)) == ["东华街道"]
    assert names(Unit.objects.visible_to(world.reviewer)) == ["东华街道", "东城区", "建设街道", "甲市"]


def test_disabled_and_unplaced_users_see_nothing(world):
    world.officer.is_active = False
    assert not Community.objects.visible_to(world.officer).exists()
    orphan = User.objects.create_user("orphan", password="x" * 12)
    assert not Community.objects.visible_to(orphan).exists()


def test_guardian_grant_adds_one_community_read_only(world):
    assign_perm("view_community", world.clerk, world.c3)
    visible = Community.objects.visible_to(world.clerk)
    assert names(visible) == ["四十里镇红光社区", "幸福社区"]
    assert names(Community.objects.within_scope(world.clerk)) == ["幸福社区"]


def test_global_permission_grants_nothing(world):
    """accept_global_perms=False in effect: a model-wide permission is not an object exception."""
    from django.contrib.auth.models import Permission

    world.clerk.user_permissions.add(Permission.objects.get(codename="view_community"))
    assert names(Community.objects.visible_to(world.clerk)) == ["幸福社区"]


def test_grant_from_another_tenant_is_ignored(world):
    assign_perm("view_community", world.clerk, world.c_other)
    assert world.c_other not in Community.objects.visible_to(world.clerk)


def test_granted_reader_gets_api_read_but_not_write(world, api):
    assign_perm("view_community", world.clerk, world.c3)
    client = api.as_user(world.clerk)
    assert client.get(f"/api/v1/communities/{world.c3.pk}/").status_code == 200
    assert client.patch(f"/api/v1/communities/{world.c3.pk}/", {"households": 9}).status_code == 403
    assert Community.objects.get(pk=world.c3.pk).households == 1500


def test_assert_within_scope_refuses_objects_moved_out(world):
    world.c1.unit = world.t3
    world.c1.save()
    with pytest.raises(PermissionDenied):
        assert_within_scope(world.clerk, world.c1)


def test_jobs_seen_by_owner_and_tiers_above(world):
    job = Job.objects.create(owner=world.clerk, kind=Job.Kind.EXPORT)
    colleague = UserFactory(unit=world.t1)
    assert job in Job.objects.visible_to(world.clerk)
    assert job in Job.objects.visible_to(world.reviewer)
    assert job not in Job.objects.visible_to(colleague)
    assert job not in Job.objects.visible_to(world.clerk_t3)


def test_guardian_grant_to_a_group_reaches_its_members(world):
    from django.contrib.auth.models import Group

    inspectors = Group.objects.create(name="检查组")
    world.clerk.groups.add(inspectors)
    assign_perm("view_community", inspectors, world.c3)
    assert names(Community.objects.visible_to(world.clerk)) == ["四十里镇红光社区", "幸福社区"]
    assert names(Community.objects.visible_to(world.clerk_t3)) == ["四十里镇红光社区"]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "patch"])
def test_api_writes_are_rechecked_against_the_scope_inside_the_transaction(world, api, monkeypatch, method):
    """Even if a foreign-key choice let an out-of-scope town through, the write is rolled back."""
    from core.api.serializers import ScopedPrimaryKeyRelatedField

    monkeypatch.setattr(ScopedPrimaryKeyRelatedField, "get_queryset", lambda self: self.queryset.all())
    body = {
        "name": "越界社区",
        "unit": world.t3.pk,
        "kind": "urban",
        "subtype": "ordinary",
        "households": 2100,
        "residents": 6000,
        "established_on": "2015-03-01",
    }
    client = api.as_user(world.clerk)
    if method == "post":
        response = client.post("/api/v1/communities/", body, format="json")
    else:
        response = client.patch(f"/api/v1/communities/{world.c1.pk}/", {"unit": world.t3.pk}, format="json")

    assert response.status_code == 403, response.content
    assert not Community.objects.filter(name="越界社区").exists()
    assert Community.objects.get(pk=world.c1.pk).unit == world.t1
