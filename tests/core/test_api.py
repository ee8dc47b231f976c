"""docs/api.md's conventions: token auth, paging, filters, field-keyed 400s, the schema's status codes."""

import pytest
from django.urls import reverse

from communities.models import Community
from demo.factories import PASSWORD, CommunityFactory


class TestToken:
    url = "/api/v1/auth/token/"

    def test_good_credentials_give_a_token_that_authenticates(self, world, api):
        response = api.post(self.url, {"username": "clerk", "password": PASSWORD}, format="json")
        assert response.status_code == 200
        api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert api.get("/api/v1/communities/").json()["count"] == 1

    @pytest.mark.parametrize("password", ["wrong-password", ""])
    def test_wrong_credentials_give_no_token(self, world, api, password):
        response = api.post(self.url, {"username": "clerk", "password": password}, format="json")
        assert response.status_code == 400
        assert "token" not in response.json()

    def test_disabled_user_gets_no_token_and_old_token_stops_working(self, world, api):
        client = api.as_user(world.clerk)
        world.clerk.is_active = False
        world.clerk.save()
        assert client.get("/api/v1/communities/").status_code == 401
        client.credentials()
        response = client.post(self.url, {"username": "clerk", "password": PASSWORD}, format="json")
        assert response.status_code == 400 and "token" not in response.json()

    def test_missing_fields_are_keyed(self, db, api):
        response = api.post(self.url, {}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"username", "password"}

    def test_unauthenticated_is_401_with_challenge(self, db, api):
        response = api.get("/api/v1/communities/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Token")


class TestCommunityContract:
    def test_key_fields(self, world, api):
        row = api.as_user(world.clerk).get("/api/v1/communities/").json()["results"][0]
        assert {"id", "name", "unit", "kind", "subtype", "households", "residents", "established_on"} <= set(
            row
        )
        assert row["unit"] == world.t1.pk and row["established_on"] == "2010-05-01"

    def test_paging_clamps_page_size_to_500(self, world, api):
        Community.objects.bulk_create(
            Community(
                unit=world.t1,
                name=f"批量{i}社区",
                kind="urban",
                households=10,
                residents=20,
                established_on="2001-01-01",
            )
            for i in range(505)
        )
        body = api.as_user(world.clerk).get("/api/v1/communities/?page_size=1000").json()
        assert body["count"] == 506 and len(body["results"]) == 500
        assert body["next"].endswith("page=2&page_size=1000") and body["previous"] is None

    def test_list_queries_do_not_grow_with_rows(self, world, api, django_assert_max_num_queries):
        client = api.as_user(world.officer)
        for _ in range(30):
            CommunityFactory(unit=world.t2)
        # token, the caller's named grants, count, page (throttling is cached; none per row)
        with django_assert_max_num_queries(4 + 1):
            assert client.get("/api/v1/communities/?page_size=100").json()["count"] == 33

    def test_unit_filter_matches_the_subtree(self, world, api):
        client = api.as_user(world.officer)
        got = client.get(f"/api/v1/communities/?unit={world.d1.pk}").json()["results"]
        assert sorted(r["name"] for r in got) == ["和平社区", "幸福社区"]

    def test_unit_filter_with_a_foreign_unit_is_400_on_the_field(self, world, api):
        response = api.as_user(world.clerk).get(f"/api/v1/communities/?unit={world.t3.pk}")
        assert response.status_code == 400 and list(response.json()) == ["unit"]

    @pytest.mark.parametrize(
        "query,expected", [("kind=rural", ["四十里镇红光社区"]), ("search=幸福", ["幸福社区"])]
    )
    def test_filters(self, world, api, query, expected):
        got = api.as_user(world.officer).get(f"/api/v1/communities/?{query}").json()["results"]
        assert [r["name"] for r in got] == expected

    @pytest.mark.parametrize(
        "change,field,message",
        [
            ({"households": 0}, "households", "户数必须为正整数。"),
            ({"residents": -5}, "residents", "人口必须为正整数。"),
            ({"households": 3000, "residents": 100}, "residents", "人口不能少于户数。"),
            ({"established_on": "2999-01-01"}, "established_on", "日期不能晚于今天。"),
            ({"kind": "metropolis"}, "kind", None),
        ],
    )
    def test_bad_input_is_keyed_by_field_and_changes_nothing(self, world, api, change, field, message):
        response = api.as_user(world.clerk).patch(f"/api/v1/communities/{world.c1.pk}/", change)
        assert response.status_code == 400, response.json()
        assert field in response.json()
        if message:
            assert response.json()[field] == [message]
        world.c1.refresh_from_db()
        assert (world.c1.households, world.c1.name) == (2400, "幸福社区")

    def test_duplicate_name_in_a_town_is_refused(self, world, api):
        other = CommunityFactory(unit=world.t1, name="另一社区")
        response = api.as_user(world.clerk).patch(f"/api/v1/communities/{other.pk}/", {"name": "幸福社区"})
        assert response.status_code == 400
        assert response.json() == {"name": ["该乡镇(街道)下已有同名社区。"]}

    def test_cannot_move_a_community_out_of_scope(self, world, api):
        response = api.as_user(world.clerk).patch(
            f"/api/v1/communities/{world.c1.pk}/", {"unit": world.t3.pk}
        )
        assert response.status_code == 400 and "unit" in response.json()
        assert Community.objects.get(pk=world.c1.pk).unit_id == world.t1.pk

    def test_unit_must_be_a_town(self, world, api):
        body = {
            "name": "区直社区",
            "unit": world.d1.pk,
            "kind": "urban",
            "households": 5,
            "residents": 9,
            "established_on": "2020-01-01",
        }
        response = api.as_user(world.clerk).post("/api/v1/communities/", body)
        assert response.status_code == 400 and "unit" in response.json()

    def test_rural_name_warning_is_returned_not_refused(self, world, api):
        body = {
            "name": "红星社区",
            "unit": world.t1.pk,
            "kind": "rural",
            "households": 900,
            "residents": 3100,
            "established_on": "2012-06-01",
        }
        response = api.as_user(world.clerk).post("/api/v1/communities/", body)
        assert response.status_code == 201
        assert "R-NAME" in response.json()["warnings"][0]

    def test_put_is_not_offered(self, world, api):
        response = api.as_user(world.clerk).put(f"/api/v1/communities/{world.c1.pk}/", {})
        assert response.status_code == 405


class TestRefusalShapes:
    """Found by `make fuzz`: every refusal is JSON in the shape the schema declares (docs/api.md)."""

    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/communities/1.5/",
            "/api/v1/communities/a%0A.b/",
            "/api/v1/self-checks/abc/",
            "/api/v1/nothing/",
        ],
    )
    def test_a_path_no_route_matches_is_a_json_404(self, world, api, url):
        response = api.as_user(world.clerk).get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "未找到。"}

    def test_a_post_to_a_path_no_route_matches_is_a_404_not_a_csrf_refusal(self, world):
        from django.test import Client

        browser = Client(enforce_csrf_checks=True)
        browser.force_login(world.clerk)
        response = browser.post("/api/v1/self-checks/abc/submit/")
        assert response.status_code == 404 and response.json() == {"detail": "未找到。"}

    def test_a_missing_slash_is_still_redirected_to_its_route(self, world, api):
        response = api.as_user(world.clerk).get("/api/v1/communities")
        assert response.status_code == 301 and response["Location"] == "/api/v1/communities/"

    @pytest.mark.parametrize("method", ["POST", "DELETE", "TRACE"])
    @pytest.mark.parametrize("url", ["/api/v1/history/", "/api/v1/stats/overview/"])
    def test_a_write_to_a_view_without_writes_is_405(self, world, api, method, url):
        # Found by `make fuzz`: a view that declares no write action answered 500 to any write.
        assert api.as_user(world.officer).generic(method, url).status_code == 405
        assert api.as_user(world.clerk).generic(method, url).status_code == 405

    def test_a_body_that_is_not_json_is_a_field_keyed_400(self, world, api):
        before = Community.objects.count()
        response = api.as_user(world.clerk).post(
            "/api/v1/communities/", b'{"name": ', content_type="application/json"
        )
        assert response.status_code == 400
        assert list(response.json()) == ["non_field_errors"]
        assert response.json()["non_field_errors"][0].startswith("请求体无法解析")
        assert Community.objects.count() == before

    def test_errors_inside_a_list_field_are_messages_of_that_field(self, world, api):
        body = {
            "community": world.c1.pk,
            "kind": "service_station",
            "name": "幸福社区服务站",
            "area_m2": "300",
            "activity_area_m2": "100",
            "rooms": ["service_hall", "ballroom"],
        }
        response = api.as_user(world.clerk).post("/api/v1/facilities/", body)
        assert response.status_code == 400
        assert response.json() == {"rooms": ["第2项:“ballroom” 不是合法选项。"]}

    def test_a_bare_list_of_messages_goes_under_non_field_errors(self, world, api):
        # DRF's search filter refuses a NUL character with a list, not a dict keyed by field.
        response = api.as_user(world.clerk).get("/api/v1/standards/?search=a%00b")
        assert response.status_code == 400
        assert list(response.json()) == ["non_field_errors"]


class TestSchema:
    def test_every_operation_declares_its_refusals(self, db, client):
        schema = client.get("/api/schema/?format=json").json()
        assert schema["openapi"].startswith("3.")
        operations = [
            (path, method, op)
            for path, item in schema["paths"].items()
            for method, op in item.items()
            if method in {"get", "post", "patch", "delete", "put"}
        ]
        assert len(operations) >= 10
        for path, method, op in operations:
            codes = set(op["responses"])
            assert "429" in codes, (path, method)
            if "security" in op:  # the public ones (auth/token/, verify/{code}/) declare auth=[]
                assert {"401", "403"} <= codes, (path, method, codes)
            if "{" in path:
                assert "404" in codes, (path, method)
            if method in {"post", "patch"}:
                assert "400" in codes, (path, method)

    def test_refusals_follow_from_what_an_operation_has(self, db, client):
        paths = client.get("/api/schema/?format=json").json()["paths"]

        def codes(path, method):
            return set(paths[path][method]["responses"])

        # A page out of range is DRF's 404, on every paged list.
        assert "404" in codes("/api/v1/communities/", "get")
        assert "404" in codes("/api/v1/history/", "get")
        # Checked query parameters mean a 400, also where no filterset declares them.
        assert "400" in codes("/api/v1/stats/overview/", "get")
        # Any delete may meet a protected reference or a rule; a read never meets a step out of order.
        assert "409" in codes("/api/v1/communities/{id}/", "delete")
        assert "409" in codes("/api/v1/enrolments/{id}/", "delete")
        assert "409" not in codes("/api/v1/self-checks/{id}/", "get")
        assert "409" in codes("/api/v1/self-checks/{id}/submit/", "post")

    @pytest.mark.parametrize("component,field", [("SubCommittee", "leader"), ("CadrePay", "member")])
    def test_a_nullable_column_may_be_null_in_answers_but_not_in_requests(self, db, client, component, field):
        # Found by `make fuzz`: deleting a member leaves these null, which the answer's schema refused.
        schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]
        assert schemas[component]["properties"][field].get("nullable") is True
        assert not schemas[f"{component}Request"]["properties"][field].get("nullable")

    @pytest.mark.parametrize(
        "path", ["/api/v1/self-checks/{id}/events/", "/api/v1/self-checks/{id}/evidence/"]
    )
    def test_a_self_checks_events_and_evidence_come_whole(self, db, client, path):
        schema = client.get("/api/schema/?format=json").json()
        operation = schema["paths"][path]["get"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
        assert [p["name"] for p in operation["parameters"]] == ["id"]

    def test_docs_are_served_without_a_cdn(self, db, client):
        response = client.get(reverse("api-docs"))
        assert response.status_code == 200
        assert b"cdn" not in response.content.lower()


class TestSessionAuth:
    def test_browser_session_reads_the_api(self, world, client):
        client.force_login(world.clerk)
        assert client.get("/api/v1/communities/").json()["count"] == 1

    def test_session_writes_need_the_csrf_token(self, world):
        from django.test import Client

        browser = Client(enforce_csrf_checks=True)
        browser.force_login(world.clerk)
        response = browser.patch(
            f"/api/v1/communities/{world.c1.pk}/", {"households": 5}, content_type="application/json"
        )
        assert response.status_code == 403 and "CSRF" in response.json()["detail"]
        assert Community.objects.get(pk=world.c1.pk).households == 2400
