from core.models import Tenant
from demo.factories import UserFactory


def test_platform_superuser_manages_tenants_in_the_admin(world, client):
    admin = UserFactory(username="root", unit=None, tenant=None, role="", is_superuser=True, is_staff=True)
    client.force_login(admin)
    for url in [
        "/admin/",
        "/admin/core/tenant/",
        "/admin/core/unit/",
        "/admin/core/user/",
        "/admin/communities/community/",
        f"/admin/communities/community/{world.c1.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/admin/core/tenant/add/",
        {
            "name": "丙市",
            "code": "bing",
            "is_active": "on",
            "designation_valid_years": 3,
            "model_district_share": "50",
        },
    )
    assert response.status_code == 302 and Tenant.objects.filter(code="bing").exists()


def test_portal_users_have_no_admin(world, client):
    client.force_login(world.officer)
    assert client.get("/admin/core/tenant/").status_code == 302  # to the admin login
