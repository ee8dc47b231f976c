"""The read replica (`DATABASE_REPLICA_URL`, core/replica.py): with it, the API's lists and details
and the figures are read through the `replica` connection and every write goes to `default`; reads
inside a transaction and about who the caller is stay on `default`; without it nothing changes.

The test settings give the replica's alias a second connection to the test database (TEST MIRROR);
the tests that route through it commit their rows (transaction=True), as a replica sees only
committed rows."""

import runpy
from pathlib import Path

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import Community
from core.replica import ReplicaRouter, reads_from_replica, replica_reads

SETTINGS = str(Path(__file__).resolve().parents[2] / "config" / "settings.py")
REPLICA_DB = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def routed(settings):
    settings.DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]


def _tables(queries) -> str:
    return " ".join(query["sql"] for query in queries.captured_queries)


def _sent(client_call):
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client_call()
    return response, default, replica


def test_settings_without_the_url_have_one_database_and_no_router(monkeypatch):
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    monkeypatch.setenv("DJANGO_DEBUG", "true")
    found = runpy.run_path(SETTINGS)
    assert list(found["DATABASES"]) == ["default"]
    assert "DATABASE_ROUTERS" not in found


def test_settings_with_the_url_add_the_replica_and_its_router(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "true")
    monkeypatch.setenv("DATABASE_URL", "postgres://portal@primary:5432/portal")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader@replica:5432/portal")
    found = runpy.run_path(SETTINGS)
    replica = found["DATABASES"]["replica"]
    assert replica["HOST"] == "replica" and replica["USER"] == "reader" and replica["NAME"] == "portal"
    assert replica["TEST"] == {"MIRROR": "default"}
    assert replica["OPTIONS"] == found["DATABASES"]["default"]["OPTIONS"]  # the same jit and costs
    assert found["DATABASE_ROUTERS"] == ["core.replica.ReplicaRouter"]


@REPLICA_DB
def test_api_lists_and_details_are_read_from_the_replica(routed, world, api):
    client = api.as_user(world.officer)
    response, default, replica = _sent(lambda: client.get("/api/v1/communities/"))
    assert response.status_code == 200 and response.json()["count"] == 3
    assert "communities_community" in _tables(replica)
    assert "communities_community" not in _tables(default)
    # Who the caller is (the token, the user) is read from default.
    assert "core_apitoken" in _tables(default) and "core_apitoken" not in _tables(replica)

    response, default, replica = _sent(lambda: client.get(f"/api/v1/communities/{world.c1.pk}/"))
    assert response.status_code == 200 and response.json()["name"] == "幸福社区"
    assert "communities_community" in _tables(replica)


@REPLICA_DB
def test_the_figures_are_read_from_the_replica(routed, world, api, client):
    response, default, replica = _sent(lambda: api.as_user(world.officer).get("/api/v1/stats/overview/"))
    assert response.status_code == 200
    assert "communities_community" in _tables(replica)
    assert "communities_community" not in _tables(default)

    client.force_login(world.officer)
    response, default, replica = _sent(lambda: client.get("/stats/", {"year": timezone.localdate().year}))
    assert response.status_code == 200
    assert "communities_community" in _tables(replica)
    assert "django_session" in _tables(default) and "django_session" not in _tables(replica)


@REPLICA_DB
def test_writes_go_to_default(routed, world, api):
    client = api.as_user(world.clerk)
    response, default, replica = _sent(
        lambda: client.patch(f"/api/v1/communities/{world.c1.pk}/", {"phone": "0471-1234567"})
    )
    assert response.status_code == 200, response.json()
    assert replica.captured_queries == []
    assert "UPDATE" in _tables(default)
    assert Community.objects.get(pk=world.c1.pk).phone == "0471-1234567"


@REPLICA_DB
def test_reads_inside_a_transaction_stay_on_default(routed, world):
    with replica_reads():
        with CaptureQueriesContext(connections["replica"]) as replica:
            assert Community.objects.count() == 4
        assert len(replica) == 1
        with transaction.atomic(), CaptureQueriesContext(connections["replica"]) as replica:
            assert Community.objects.count() == 4
            list(Community.objects.select_for_update().filter(pk=world.c1.pk))
        assert replica.captured_queries == []
    # Outside a marked request nothing is read from the replica.
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert Community.objects.count() == 4
    assert replica.captured_queries == []


@REPLICA_DB
def test_without_the_router_nothing_reads_the_replica(world, api):
    response, default, replica = _sent(lambda: api.as_user(world.officer).get("/api/v1/communities/"))
    assert response.status_code == 200
    assert replica.captured_queries == []
    assert "communities_community" in _tables(default)


def test_only_pure_reads_are_marked():
    class ViewSetView:
        actions = {"get": "list", "post": "create"}

    class Figures:
        replica_reads = True

    class Page:
        view_class = Figures

    class Other:
        view_class = object

    assert reads_from_replica(ViewSetView, "GET")
    assert not reads_from_replica(ViewSetView, "POST")
    assert reads_from_replica(Page, "GET") and reads_from_replica(Page, "HEAD")
    assert not reads_from_replica(Page, "POST")
    assert not reads_from_replica(Other, "GET")
    router = ReplicaRouter()
    assert router.db_for_write(Community) == "default"
    assert router.allow_migrate("default", "communities") and not router.allow_migrate(
        "replica", "communities"
    )
