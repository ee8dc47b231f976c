"""The city's draft editions are read by those who edit them (the city officer) only: a district
reviewer, a town clerk and a data reader find them neither in the list nor by id, on the pages, in
the API or as a blank sheet; once published they read them like the others."""

import pytest
from django.test import Client

from demo.factories import shipped_edition
from standards import editing

READERS = ["reviewer", "clerk", "reader"]


@pytest.fixture
def draft(world):
    return editing.copy_edition(shipped_edition(), world.officer)


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", READERS)
def test_the_draft_is_absent_from_the_list_page(world, draft, role):
    listed = page_client(getattr(world, role)).get("/standards/").context["object_list"]
    assert draft not in listed and listed  # the published editions are still there


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize(
    "path", ["/standards/{pk}/", "/standards/{pk}/sheet.pdf", "/standards/{pk}/sheet.xlsx"]
)
def test_the_draft_is_a_404_on_its_pages(world, draft, role, path):
    assert page_client(getattr(world, role)).get(path.format(pk=draft.pk)).status_code == 404


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("path", ["/api/v1/standards/{pk}/", "/api/v1/standards/{pk}/sheet/"])
def test_the_draft_is_a_404_in_the_api(world, api, draft, role, path):
    client = api.as_user(getattr(world, role))
    assert client.get(path.format(pk=draft.pk)).status_code == 404
    assert draft.pk not in {row["id"] for row in client.get("/api/v1/standards/").json()["results"]}


def test_the_officer_reads_and_prints_the_draft(world, draft):
    client = page_client(world.officer)
    assert draft in client.get("/standards/").context["object_list"]
    assert client.get(f"/standards/{draft.pk}/").status_code == 200
    assert client.get(f"/standards/{draft.pk}/sheet.pdf").status_code == 200


def test_once_published_the_reviewer_reads_it(world, draft):
    editing.publish(draft, world.officer)
    client = page_client(world.reviewer)
    assert client.get(f"/standards/{draft.pk}/").status_code == 200
    assert draft in client.get("/standards/").context["object_list"]
