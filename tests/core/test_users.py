"""Delegated, scoped user administration by the city officer."""

import pytest
from django.test import Client

from core.models import User
from core.roles import Role
from demo.factories import UserFactory


@pytest.fixture
def officer_client(world, client):
    client.force_login(world.officer)
    return client


NEW = {
    "username": "zhangsan",
    "full_name": "张三",
    "phone": "13800000000",
    "email": "",
    "is_active": "on",
    "password": "Qiang-Mima-2026",
}


def test_list_shows_only_the_citys_users_with_search_and_filters(world, officer_client):
    listed = {u.username for u in officer_client.get("/users/").context["object_list"]}
    assert listed == {"clerk", "clerk_t3", "reviewer", "officer", "reader", "reader_d1"}
    by_role = officer_client.get("/users/?role=town_clerk").context["object_list"]
    assert {u.username for u in by_role} == {"clerk", "clerk_t3"}
    by_unit = officer_client.get(f"/users/?unit={world.d1.pk}").context["object_list"]
    assert {u.username for u in by_unit} == {"clerk", "reviewer", "reader_d1"}
    found = officer_client.get("/users/?search=clerk_t").context["object_list"]
    assert [u.username for u in found] == ["clerk_t3"]


def test_thousands_of_users_page_and_query_count_stays_flat(
    world, officer_client, django_assert_max_num_queries
):
    User.objects.bulk_create(
        User(username=f"bulk{i}", tenant=world.tenant, unit=world.t2, role=Role.TOWN_CLERK)
        for i in range(1200)
    )
    with django_assert_max_num_queries(10):
        response = officer_client.get("/users/?role=town_clerk")
    assert response.context["paginator"].count == 1202 and len(response.context["object_list"]) == 50


def test_create_user_in_scope(world, officer_client):
    response = officer_client.post("/users/new/", {**NEW, "unit": world.t2.pk, "role": Role.TOWN_CLERK})
    assert response.status_code == 302
    created = User.objects.get(username="zhangsan")
    assert (created.tenant, created.unit, created.role) == (world.tenant, world.t2, Role.TOWN_CLERK)
    assert created.check_password("Qiang-Mima-2026")


@pytest.mark.parametrize(
    "change,field",
    [
        ({"role": Role.TOWN_CLERK, "unit": "d1"}, "unit"),  # a clerk must sit at a town
        ({"role": Role.DISTRICT_REVIEWER, "unit": "t1"}, "unit"),
        ({"role": Role.CITY_OFFICER, "unit": "other_city"}, "unit"),  # another tenant's unit
        ({"role": "superuser", "unit": "t1"}, "role"),
        ({"role": Role.TOWN_CLERK, "unit": "t1", "password": "12345678901"}, "password"),
        ({"role": Role.TOWN_CLERK, "unit": "t1", "password": ""}, "password"),
        ({"role": Role.TOWN_CLERK, "unit": "t1", "username": "clerk"}, "username"),
    ],
)
def test_create_refuses_bad_input(world, officer_client, change, field):
    data = {**NEW, **change}
    data["unit"] = getattr(world, data["unit"]).pk
    response = officer_client.post("/users/new/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(full_name="张三").exists()


def test_rerole_and_reset_password(world, officer_client):
    data = {
        **NEW,
        "username": "clerk_t3",
        "unit": world.d2.pk,
        "role": Role.DISTRICT_REVIEWER,
        "password": "",
    }
    assert officer_client.post(f"/users/{world.clerk_t3.pk}/edit/", data).status_code == 302
    world.clerk_t3.refresh_from_db()
    assert (world.clerk_t3.unit, world.clerk_t3.role) == (world.d2, Role.DISTRICT_REVIEWER)
    assert world.clerk_t3.check_password("test-pass-2026!")  # blank password keeps the old one


def test_officer_cannot_demote_or_disable_themself(world, officer_client):
    data = {**NEW, "username": "officer", "unit": world.t1.pk, "role": Role.API_READER, "password": ""}
    officer_client.post(f"/users/{world.officer.pk}/edit/", data)
    world.officer.refresh_from_db()
    assert (world.officer.role, world.officer.unit, world.officer.is_active) == (
        Role.CITY_OFFICER,
        world.city,
        True,
    )


def test_bulk_disable_and_enable(world, officer_client):
    clerks = [world.clerk.pk, world.clerk_t3.pk]
    response = officer_client.post("/users/bulk/", {"action": "disable", "users": clerks})
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=clerks, is_active=True).exists()
    officer_client.post("/users/bulk/", {"action": "enable", "users": clerks})
    assert User.objects.filter(pk__in=clerks, is_active=True).count() == 2


def test_bulk_refuses_foreign_and_own_accounts(world, officer_client):
    officer_client.post(
        "/users/bulk/", {"action": "disable", "users": [world.other_officer.pk, world.clerk.pk]}
    )
    officer_client.post("/users/bulk/", {"action": "disable", "users": [world.officer.pk]})
    assert User.objects.get(pk=world.other_officer.pk).is_active
    assert User.objects.get(pk=world.clerk.pk).is_active  # the whole request was refused
    assert User.objects.get(pk=world.officer.pk).is_active


def test_disabled_user_is_logged_out(world, officer_client):
    client = Client()
    client.force_login(world.clerk)
    assert client.get("/").status_code == 200
    officer_client.post("/users/bulk/", {"action": "disable", "users": [world.clerk.pk]})
    assert client.get("/").status_code == 302


def test_grant_and_revoke_a_named_viewer(world, officer_client):
    client = Client()
    inspector = UserFactory(username="inspector", unit=world.t3)
    officer_client.post(f"/communities/{world.c1.pk}/viewers/", {"username": "inspector"})
    client.force_login(inspector)
    assert client.get(f"/communities/{world.c1.pk}/").status_code == 200
    assert client.get(f"/communities/{world.c1.pk}/edit/").status_code == 403
    assert client.get(f"/communities/{world.c2.pk}/").status_code == 404
    officer_client.post(f"/communities/{world.c1.pk}/viewers/", {"revoke": inspector.pk})
    assert client.get(f"/communities/{world.c1.pk}/").status_code == 404


def test_grant_to_a_user_of_another_city_is_refused(world, officer_client):
    client = Client()
    response = officer_client.post(
        f"/communities/{world.c1.pk}/viewers/", {"username": "other_officer"}, follow=True
    )
    assert "本市没有这个启用中的用户。" in response.content.decode()
    client.force_login(world.other_officer)
    assert client.get(f"/communities/{world.c1.pk}/").status_code == 404


def test_officer_exports_the_city_users(
    world, officer_client, eager_tasks, django_capture_on_commit_callbacks
):
    import io

    from openpyxl import load_workbook

    from core.models import Job

    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post("/exports/users/", {"role": "town_clerk"})
    job = Job.objects.get(owner=world.officer)
    assert response["Location"] == f"/jobs/{job.pk}/"
    sheet = load_workbook(
        io.BytesIO(b"".join(officer_client.get(f"/jobs/{job.pk}/download/").streaming_content))
    ).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("登录名", "姓名")
    assert sorted(row[0] for row in rows[1:]) == ["clerk", "clerk_t3"]


@pytest.mark.parametrize("user", ["clerk", "reviewer", "reader"])
def test_only_the_user_administrator_exports_users(world, client, user):
    from core.models import Job

    client.force_login(getattr(world, user))
    assert client.post("/exports/users/", {}).status_code == 403
    assert not Job.objects.exists()
