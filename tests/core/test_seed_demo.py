import pytest
from django.core.management import CommandError, call_command

from communities.models import Community
from core.models import Unit, User
from core.roles import Role


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo-pass-2026"
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def test_builds_a_city_of_every_kind(seeded):
    assert Unit.objects.filter(tier="city").count() == 1
    assert Unit.objects.filter(tier="district").count() >= 3
    assert set(Unit.objects.filter(tier="district").values_list("zone", flat=True)) == {"central", "outer"}
    assert Unit.objects.filter(tier="town").count() >= 10
    assert Community.objects.count() >= 120
    assert set(Community.objects.values_list("kind", flat=True)) == set(Community.Kind.values)
    assert set(Community.objects.values_list("subtype", flat=True)) == set(Community.Subtype.values)


def test_demo_users_match_the_contract(seeded):
    users = {u.username: u for u in User.objects.select_related("unit")}
    assert users["city_officer"].role == Role.CITY_OFFICER and users["city_officer"].unit.tier == "city"
    reviewer, clerk, other = users["district_reviewer"], users["town_clerk"], users["town_clerk_other"]
    assert reviewer.role == Role.DISTRICT_REVIEWER and reviewer.unit.tier == "district"
    assert clerk.unit.parent == reviewer.unit, "town_clerk works in the reviewer's district"
    assert other.unit.parent != reviewer.unit, "town_clerk_other works in another district"
    assert users["api_reader"].role == Role.API_READER and users["api_reader"].unit.tier == "city"
    assert all(
        users[name].check_password("demo-pass-2026")
        for name in ["city_officer", "district_reviewer", "town_clerk", "town_clerk_other", "api_reader"]
    )
    kinds = set(Community.objects.filter(unit=clerk.unit).values_list("kind", flat=True))
    assert kinds == set(Community.Kind.values)


def test_second_run_changes_nothing(seeded):
    before = {
        "communities": list(
            Community.objects.order_by("pk").values_list("pk", "name", "households", "updated_at")
        ),
        "users": list(User.objects.order_by("pk").values_list("pk", "password", "unit_id", "role")),
        "units": list(Unit.objects.order_by("pk").values_list("pk", "path")),
    }
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    after = {
        "communities": list(
            Community.objects.order_by("pk").values_list("pk", "name", "households", "updated_at")
        ),
        "users": list(User.objects.order_by("pk").values_list("pk", "password", "unit_id", "role")),
        "units": list(Unit.objects.order_by("pk").values_list("pk", "path")),
    }
    assert after == before


def test_refuses_without_debug_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not Community.objects.exists()
    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))
    assert Community.objects.exists()


def test_demo_contains_a_rural_name_warning(seeded):
    flagged = [c for c in Community.objects.filter(kind="rural").select_related("unit") if c.warnings]
    assert flagged and all("R-NAME" in c.warnings[0] for c in flagged)
