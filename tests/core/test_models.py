import pytest
from django.core.exceptions import ValidationError

from core.models import Job, Unit, User
from core.roles import Action, Role


@pytest.mark.parametrize(
    "tier,parent,zone,field",
    [
        ("district", None, "central", "parent"),
        ("town", "city", "", "parent"),  # a town sits under a district
        ("district", "city", "", "zone"),
        ("town", "d1", "outer", "zone"),
        ("town", "other_city", "", "parent"),
    ],
)
def test_unit_tree_rules(world, tier, parent, zone, field):
    unit = Unit(
        tenant=world.tenant,
        parent=getattr(world, parent) if parent else None,
        tier=tier,
        zone=zone,
        name="新单位",
    )
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert field in error.value.message_dict


def test_unit_cannot_move_under_itself(world):
    world.d1.parent = world.t1
    with pytest.raises(ValidationError):
        world.d1.clean()


@pytest.mark.parametrize(
    "role,unit,ok",
    [
        (Role.TOWN_CLERK, "t1", True),
        (Role.TOWN_CLERK, "d1", False),
        (Role.DISTRICT_REVIEWER, "d1", True),
        (Role.DISTRICT_REVIEWER, "city", False),
        (Role.CITY_OFFICER, "city", True),
        (Role.CITY_OFFICER, "t1", False),
        (Role.API_READER, "t1", True),
        (Role.API_READER, "city", True),
    ],
)
def test_role_sits_at_its_tier(world, role, unit, ok):
    user = User(username="x", tenant=world.tenant, unit=getattr(world, unit), role=role)
    if ok:
        user.clean()
    else:
        with pytest.raises(ValidationError):
            user.clean()


def test_user_unit_must_be_in_their_tenant(world):
    user = User(username="x", tenant=world.tenant, unit=world.other_town, role=Role.TOWN_CLERK)
    with pytest.raises(ValidationError):
        user.clean()


@pytest.mark.parametrize(
    "role,allowed",
    [
        (Role.TOWN_CLERK, {Action.READ, Action.EDIT_RECORDS, Action.RUN_SELF_CHECKS, Action.SUBMIT}),
        (
            Role.DISTRICT_REVIEWER,
            {
                Action.READ,
                Action.RUN_SELF_CHECKS,
                Action.ENROL,
                Action.REVIEW,
                Action.REOPEN_DISTRICT_APPROVED,
            },
        ),
        (
            Role.CITY_OFFICER,
            {
                Action.READ,
                Action.RUN_SELF_CHECKS,
                Action.ENROL,
                Action.ACCEPT,
                Action.REOPEN_DISTRICT_APPROVED,
                Action.REOPEN_DECIDED,
                Action.MANAGE_STANDARDS,
                Action.MANAGE_USERS,
            },
        ),
        (Role.API_READER, {Action.READ}),
    ],
)
def test_role_table_is_api_md(role, allowed):
    """docs/api.md's roles table; personal data is shown to every role but the reader; the district and
    the city read the export log of their staff (a page, not in docs/api.md)."""
    user = User(role=role, is_active=True)
    expected = allowed | ({Action.SEE_PERSONAL_DATA} if role != Role.API_READER else set())
    expected |= {Action.AUDIT_EXPORTS} if role in (Role.DISTRICT_REVIEWER, Role.CITY_OFFICER) else set()
    assert {action for action in Action if user.can(action)} == expected
    user.is_active = False
    assert not any(user.can(action) for action in Action)


def test_job_progress(world):
    job = Job.objects.create(owner=world.clerk, kind=Job.Kind.EXPORT)
    job.mark_running(total=8, worker="w1")
    job.advance(2)
    assert Job.objects.get(pk=job.pk).percent == 25
    job.mark_failed("导出失败:测试")
    stored = Job.objects.get(pk=job.pk)
    assert stored.state == Job.State.FAILED and stored.errors == ["导出失败:测试"] and stored.finished
