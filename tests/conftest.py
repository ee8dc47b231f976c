import os
import pickle
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import transaction
from pytest_django.fixtures import validate_django_db
from rest_framework.test import APIClient

from core.models import ApiToken, Unit
from core.roles import Role
from demo.factories import (
    CityFactory,
    CommunityFactory,
    DistrictFactory,
    TenantFactory,
    TownFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clean_cache():
    # Throttle counters live in the cache; no test should inherit another's.
    cache.clear()
    yield
    cache.clear()


def build_world() -> SimpleNamespace:
    """Two tenants. Tenant A: city → district D1 (towns T1, T2) and district D2 (town T3).
    Tenant B: city → district → town. One community per town, one user per role."""
    tenant = TenantFactory(name="甲市", code="jia")
    city = CityFactory(tenant=tenant, name="甲市")
    d1 = DistrictFactory(parent=city, name="东城区", zone=Unit.Zone.CENTRAL)
    d2 = DistrictFactory(parent=city, name="青山县", zone=Unit.Zone.OUTER)
    t1 = TownFactory(parent=d1, name="东华街道")
    t2 = TownFactory(parent=d1, name="建设街道")
    t3 = TownFactory(parent=d2, name="四十里镇")
    other_tenant = TenantFactory(name="乙市", code="yi")
    other_city = CityFactory(tenant=other_tenant, name="乙市")
    other_town = TownFactory(parent=DistrictFactory(parent=other_city, name="乙区"), name="乙镇")
    w = SimpleNamespace(
        tenant=tenant,
        city=city,
        d1=d1,
        d2=d2,
        t1=t1,
        t2=t2,
        t3=t3,
        other_tenant=other_tenant,
        other_city=other_city,
        other_town=other_town,
    )
    w.c1 = CommunityFactory(unit=t1, name="幸福社区")
    w.c2 = CommunityFactory(unit=t2, name="和平社区")
    w.c3 = CommunityFactory(unit=t3, name="四十里镇红光社区", kind="rural", households=1500, residents=4800)
    w.c_other = CommunityFactory(unit=other_town, name="乙社区")
    w.clerk = UserFactory(username="clerk", unit=t1, role=Role.TOWN_CLERK)
    w.clerk_t3 = UserFactory(username="clerk_t3", unit=t3, role=Role.TOWN_CLERK)
    w.reviewer = UserFactory(username="reviewer", unit=d1, role=Role.DISTRICT_REVIEWER)
    w.officer = UserFactory(username="officer", unit=city, role=Role.CITY_OFFICER)
    w.reader = UserFactory(username="reader", unit=city, role=Role.API_READER)
    w.reader_d1 = UserFactory(username="reader_d1", unit=d1, role=Role.API_READER)
    w.other_officer = UserFactory(username="other_officer", unit=other_city, role=Role.CITY_OFFICER)
    return w


# ---- the world, built once for the tests that follow one another ----------------------------------
#
# Most tests take the `world` and run in a transaction that is rolled back (pytest-django's `db`).
# Building it costs more than many a test itself (22 rows through the models' saves, with their
# history and change bookkeeping), so it is built once and kept in an outer transaction of its own,
# which each test's transaction nests in as a savepoint: the way Django's TestCase.setUpTestData
# keeps a class's data. Each test gets a deep copy of the objects, as setUpTestData's TestData
# descriptor gives (unpickled: five times cheaper than copy.deepcopy, the same objects, related
# objects cached alike), so a change made in memory by one test is never seen by the next; a change
# made in the database is rolled back with the test's savepoint.
#
# The outer transaction is open only while tests that share the world follow one another. It is
# rolled back before any other test that uses the database (one without the world must not see
# it), and before a test that commits (transactional_db, live_server, django_db(transaction=True)):
# such a test builds a world of its own, committed as the test goes, as before.

_NEXT_ITEM = pytest.StashKey()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    # Whether the world is kept open after a test depends on the test that comes next.
    item.stash[_NEXT_ITEM] = nextitem


def _shares_world(item) -> bool:
    """Whether a test takes the world and runs in a rolled-back transaction (pytest-django's own
    rules for a transactional test, in `_django_db_helper`)."""
    if item is None or "world" not in getattr(item, "fixturenames", ()):
        return False
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transactional, reset_sequences, *_ = validate_django_db(marker)
        if transactional or reset_sequences:
            return False
    return not {"transactional_db", "live_server", "django_db_reset_sequences"} & set(item.fixturenames)


class _SharedWorld:
    """The world kept in an open transaction (`atomic`), pickled; or nothing."""

    def __init__(self, blocker):
        self.blocker = blocker
        self.atomic = None
        self.pickled = None

    def open(self):
        if self.atomic is None:
            with self.blocker.unblock():
                self.atomic = transaction.atomic()
                self.atomic.__enter__()
                self.pickled = pickle.dumps(build_world())

    def close(self):
        if self.atomic is not None:
            with self.blocker.unblock():
                transaction.set_rollback(True)
                self.atomic.__exit__(None, None, None)
            self.atomic = self.pickled = None


@pytest.fixture(scope="session")
def _shared_world(django_db_setup, django_db_blocker):
    shared = _SharedWorld(django_db_blocker)
    yield shared
    shared.close()  # before the test databases are destroyed


@pytest.fixture
def _world_transaction(request, _shared_world, _fast_passwords):
    """Opens the shared world's transaction for a test that shares it, or rolls it back for any
    other test that uses the database; and after a test, rolls it back unless the next test shares
    it (before any module-scoped fixture of the next module sets up: it may commit rows).
    `_fast_passwords` first: the django_db marker's fixture can come before the autouse ones."""
    if _shares_world(request.node):
        _shared_world.open()
    else:
        _shared_world.close()
    yield
    if not _shares_world(request.node.stash.get(_NEXT_ITEM, None)):
        _shared_world.close()


@pytest.fixture
def _django_db_helper(_world_transaction, _django_db_helper):
    """pytest-django's own fixture behind `db`, `transactional_db` and the django_db marker,
    entered once `_world_transaction` has set the shared world's transaction for this test: the
    test's transaction then nests in it."""
    yield


@pytest.fixture
def world(request, db, _shared_world):
    """The world of `build_world`: a copy of the shared one, or, for a test that commits, its own."""
    if _shared_world.pickled is not None and _shares_world(request.node):
        return pickle.loads(_shared_world.pickled)
    return build_world()


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in this process even in the pass with a real broker: for tests whose data
    lives in an uncommitted test transaction that a separate worker could never see."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True  # Celery's Settings object does not survive monkeypatch's undo
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates with that user's token."""
    client = APIClient()

    def as_user(user):
        _, key = ApiToken.issue(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    client.as_user = as_user
    return client
