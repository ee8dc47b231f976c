"""`?community=` is checked the same way on every list that takes it: an id outside the caller's
scope is a 400 on the field, with the same message as an id that does not exist."""

import pytest

from communities.filtersets import COMMUNITY_NOT_FOUND, CommunityFilter
from config.api_urls import router

# Every list of the API whose filters take `?community=`, read from the routes themselves, and
# `history/`, which checks it by hand with the same filter.
LISTS = sorted(
    prefix
    for prefix, viewset, _ in router.registry
    if getattr(viewset, "filterset_class", None) and "community" in viewset.filterset_class.base_filters
) + ["history"]


def test_the_lists_include_those_that_answered_an_empty_page():
    assert {"self-checks", "enrolments", "designations", "members", "meetings", "history"} <= set(LISTS)


@pytest.mark.parametrize("prefix", [p for p in LISTS if p != "history"])
def test_every_list_declares_the_shared_filter(prefix):
    viewset = next(viewset for name, viewset, _ in router.registry if name == prefix)
    assert isinstance(viewset.filterset_class.base_filters["community"], CommunityFilter)


@pytest.mark.parametrize("prefix", LISTS)
def test_an_out_of_scope_community_is_the_same_400_everywhere(world, api, prefix):
    client = api.as_user(world.clerk)  # town T1: sees c1 only
    answers = {}
    for name, pk in [("other town", world.c3.pk), ("other city", world.c_other.pk), ("no such id", 10**9)]:
        response = client.get(f"/api/v1/{prefix}/?community={pk}")
        assert response.status_code == 400, (name, response.content)
        answers[name] = response.json()
    assert all(answer == {"community": [COMMUNITY_NOT_FOUND]} for answer in answers.values())


@pytest.mark.parametrize("prefix", LISTS)
def test_an_own_community_is_accepted(world, api, prefix):
    assert api.as_user(world.clerk).get(f"/api/v1/{prefix}/?community={world.c1.pk}").status_code == 200
