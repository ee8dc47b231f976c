import os
from types import SimpleNamespace

import pytest
from django.core.cache import cache
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


@pytest.fixture
def world(db):
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
