"""Every endpoint and page × every role: docs/api.md's refusal order holds (401 → 404 → 403 → 400).

Rows name a target by attribute of the `world` fixture; `expect` gives the status per user, and
`"*"` the status for everybody not named. `anon` is the unauthenticated caller.
"""

import pytest

from demo.factories import EnrolmentFactory, PayBenchmarkFactory

USERS = ["anon", "clerk", "clerk_t3", "reviewer", "officer", "reader", "reader_d1", "other_officer"]

# c1 lies in town T1 of district D1: visible to clerk, reviewer, officer, reader, reader_d1.
SEES_C1 = {"clerk": 200, "reviewer": 200, "officer": 200, "reader": 200, "reader_d1": 200}
NOT_C1 = {"clerk_t3": 404, "other_officer": 404}

RUN_BODY = {"year": 2025, "unit": "{t1}"}

COMMUNITY_BODY = {
    "name": "新建社区",
    "kind": "urban",
    "subtype": "ordinary",
    "households": 2100,
    "residents": 6000,
    "established_on": "2015-03-01",
}

API = [
    ("get", "/api/v1/communities/", None, {"anon": 401, "*": 200}),
    ("get", "/api/v1/communities/{c1}/", None, {"anon": 401, **SEES_C1, **NOT_C1}),
    ("get", "/api/v1/communities/{c_other}/", None, {"anon": 401, "other_officer": 200, "*": 404}),
    # create in T1: only the T1 clerk; the T3 clerk may create but not there (400 on `unit`)
    (
        "post",
        "/api/v1/communities/",
        {**COMMUNITY_BODY, "unit": "{t1}"},
        {"anon": 401, "clerk": 201, "clerk_t3": 400, "*": 403},
    ),
    (
        "patch",
        "/api/v1/communities/{c1}/",
        {"households": 2500},
        {"anon": 401, "clerk": 200, **NOT_C1, "*": 403},
    ),
    ("delete", "/api/v1/communities/{c1}/", None, {"anon": 401, "clerk": 204, **NOT_C1, "*": 403}),
    ("post", "/api/v1/communities/export/", None, {"anon": 401, "*": 202}),
    ("get", "/api/v1/units/", None, {"anon": 401, "*": 200}),
    ("get", "/api/v1/units/{t1}/", None, {"anon": 401, **SEES_C1, **NOT_C1}),
    ("get", "/api/v1/units/{city}/", None, {"anon": 401, "other_officer": 404, "*": 200}),
    # a job of the T1 clerk: its creator and the tiers above, not colleagues elsewhere
    (
        "get",
        "/api/v1/jobs/{clerk_job}/",
        None,
        {
            "anon": 401,
            "clerk": 200,
            "reviewer": 200,
            "officer": 200,
            "reader": 200,
            "reader_d1": 200,
            "*": 404,
        },
    ),
    ("get", "/api/v1/self-checks/", None, {"anon": 401, "*": 200}),
    ("get", "/api/v1/stats/overview/", None, {"anon": 401, "*": 200}),
    ("get", "/api/v1/stats/trend/", None, {"anon": 401, "*": 200}),
    # A town has no units below it (400); a unit above the caller's own is refused by field (400).
    ("get", "/api/v1/stats/units/", None, {"anon": 401, "clerk": 400, "clerk_t3": 400, "*": 200}),
    (
        "get",
        "/api/v1/stats/units/?unit={d1}",
        None,
        {"anon": 401, "reviewer": 200, "officer": 200, "reader": 200, "reader_d1": 200, "*": 400},
    ),
    (
        "get",
        "/api/v1/stats/communities/?unit={t1}",
        None,
        {"anon": 401, "clerk_t3": 400, "other_officer": 400, "*": 200},
    ),
    ("get", "/api/v1/self-checks/{sc1}/", None, {"anon": 401, **SEES_C1, **NOT_C1}),
    ("get", "/api/v1/self-checks/{sc1}/sheet/?format=xlsx", None, {"anon": 401, **SEES_C1, **NOT_C1}),
    ("get", "/api/v1/enrolments/", None, {"anon": 401, "*": 200}),
    ("get", "/api/v1/enrolments/{en1}/", None, {"anon": 401, **SEES_C1, **NOT_C1}),
    (
        "post",
        "/api/v1/enrolments/",
        {"community": "{c1}", "year": 2025},
        {"anon": 401, "reviewer": 201, "officer": 201, "other_officer": 400, "*": 403},
    ),
    (
        "delete",
        "/api/v1/enrolments/{en1}/",
        None,
        {"anon": 401, "reviewer": 204, "officer": 204, **NOT_C1, "*": 403},
    ),
    # self-checks come from runs only: no create route (roles that write nothing are refused first)
    ("post", "/api/v1/self-checks/", {}, {"anon": 401, "clerk": 405, "clerk_t3": 405, "*": 403}),
    ("post", "/api/v1/self-checks/export/", None, {"anon": 401, "*": 202}),
    # a run over T1: the roles that run self-checks with T1 in scope; others' unit is bad input
    (
        "post",
        "/api/v1/self-checks/run/",
        RUN_BODY,
        {
            "anon": 401,
            "clerk": 202,
            "reviewer": 202,
            "officer": 202,
            "clerk_t3": 400,
            "other_officer": 400,
            "*": 403,
        },
    ),
    # designations: read in scope; only the city revokes (the second row: no reason is bad input)
    ("get", "/api/v1/designations/", None, {"anon": 401, "*": 200}),
    ("get", "/api/v1/designations/{des1}/", None, {"anon": 401, **SEES_C1, **NOT_C1}),
    ("get", "/api/v1/designations/{des1}/certificate/", None, {"anon": 401, **SEES_C1, **NOT_C1}),
    (
        "post",
        "/api/v1/designations/{des1}/revoke/",
        {"reason": "材料不实"},
        {"anon": 401, "officer": 200, **NOT_C1, "*": 403},
    ),
    ("post", "/api/v1/designations/{des1}/revoke/", {}, {"anon": 401, "officer": 400, **NOT_C1, "*": 403}),
    # designations come from acceptance only: no create route
    ("post", "/api/v1/designations/", {}, {"anon": 401, "clerk": 405, "clerk_t3": 405, "*": 403}),
    # the public check of a certificate: no login, credentials ignored
    ("get", "/api/v1/verify/{des1_code}/", None, {"*": 200}),
    ("get", "/api/v1/verify/UNKNOWNCODE1/", None, {"*": 404}),
]

PAGES = [
    ("get", "/", None, {"anon": 302, "*": 200}),
    ("get", "/communities/", None, {"anon": 302, "*": 200}),
    ("get", "/stats/?year=2025", None, {"anon": 302, "*": 200}),
    (
        "get",
        "/stats/?year=2025&unit={d1}",
        None,
        {"anon": 302, "reviewer": 200, "officer": 200, "reader": 200, "reader_d1": 200, "*": 404},
    ),
    (
        "get",
        "/stats/export.xlsx?year=2025&unit={t1}",
        None,
        {"anon": 302, "clerk_t3": 404, "other_officer": 404, "*": 200},
    ),
    ("get", "/communities/{c1}/", None, {"anon": 302, **SEES_C1, **NOT_C1}),
    ("get", "/communities/{c_other}/", None, {"anon": 302, "other_officer": 200, "*": 404}),
    ("get", "/communities/new/", None, {"anon": 302, "clerk": 200, "clerk_t3": 200, "*": 403}),
    (
        "post",
        "/communities/new/",
        {**COMMUNITY_BODY, "unit": "{t1}"},
        {"anon": 302, "clerk": 302, "clerk_t3": 200, "*": 403},
    ),  # 200: form shown again, unit refused
    ("get", "/communities/{c1}/edit/", None, {"anon": 302, "clerk": 200, **NOT_C1, "*": 403}),
    (
        "post",
        "/communities/{c1}/edit/",
        {**COMMUNITY_BODY, "unit": "{t1}"},
        {"anon": 302, "clerk": 302, **NOT_C1, "*": 403},
    ),
    ("get", "/communities/{c1}/delete/", None, {"anon": 302, "clerk": 200, **NOT_C1, "*": 403}),
    ("post", "/communities/{c1}/delete/", {}, {"anon": 302, "clerk": 302, **NOT_C1, "*": 403}),
    (
        "post",
        "/communities/{c1}/viewers/",
        {"username": "clerk_t3"},
        {"anon": 302, "officer": 302, **NOT_C1, "*": 403},
    ),
    ("post", "/exports/communities/", {}, {"anon": 302, "*": 302}),
    # the export log: the district and the city, each in its own scope
    (
        "get",
        "/exports/log/",
        None,
        {"anon": 302, "reviewer": 200, "officer": 200, "other_officer": 200, "*": 403},
    ),
    ("get", "/users/", None, {"anon": 302, "officer": 200, "other_officer": 200, "*": 403}),
    ("get", "/users/new/", None, {"anon": 302, "officer": 200, "other_officer": 200, "*": 403}),
    # clerk_t3 lives in district D2: outside D1 and T1, inside the city
    (
        "get",
        "/users/{clerk_t3_user}/edit/",
        None,
        {"anon": 302, "officer": 200, "reader": 403, "clerk_t3": 403, "*": 404},
    ),
    (
        "post",
        "/users/bulk/",
        {"action": "disable", "users": ["{clerk_t3_user}"]},
        {"anon": 302, "officer": 302, "other_officer": 302, "*": 403},
    ),
    (
        "get",
        "/jobs/{clerk_job}/",
        None,
        {
            "anon": 302,
            "clerk": 200,
            "reviewer": 200,
            "officer": 200,
            "reader": 200,
            "reader_d1": 200,
            "*": 404,
        },
    ),
    ("get", "/self-checks/?year=2025", None, {"anon": 302, "*": 200}),
    ("get", "/self-checks/{sc1}/", None, {"anon": 302, **SEES_C1, **NOT_C1}),
    ("get", "/self-checks/{sc1}/sheet.xlsx", None, {"anon": 302, **SEES_C1, **NOT_C1}),
    ("get", "/self-checks/failures/?year=2025", None, {"anon": 302, "*": 200}),
    ("post", "/exports/self-checks/", {}, {"anon": 302, "*": 302}),
    # 200: the form shown again, T1 is not among the caller's units
    (
        "post",
        "/self-checks/run/",
        RUN_BODY,
        {
            "anon": 302,
            "clerk": 302,
            "reviewer": 302,
            "officer": 302,
            "clerk_t3": 200,
            "other_officer": 200,
            "*": 403,
        },
    ),
    # the creation activity's list: read by all; the district and the city save it (302), another
    # city's community is bad input (400)
    ("get", "/enrolments/?year=2025", None, {"anon": 302, "*": 200}),
    (
        "post",
        "/enrolments/?year=2025",
        {"year": 2025, "shown": ["{c1}"], "enrolled": ["{c1}"]},
        {"anon": 302, "reviewer": 302, "officer": 302, "other_officer": 400, "*": 403},
    ),
    (
        "post",
        "/enrolments/?year=2024",
        {"year": 2024, "shown": ["{c1}"]},
        {"anon": 302, "reviewer": 302, "officer": 302, "other_officer": 400, "*": 403},
    ),
    ("get", "/designations/?year=2025", None, {"anon": 302, "*": 200}),
    ("get", "/designations/{des1}/", None, {"anon": 302, **SEES_C1, **NOT_C1}),
    ("get", "/designations/{des1}/certificate/", None, {"anon": 302, **SEES_C1, **NOT_C1}),
    (
        "post",
        "/designations/{des1}/revoke/",
        {"reason": "材料不实"},
        {"anon": 302, "officer": 302, **NOT_C1, "*": 403},
    ),
    ("post", "/exports/designations/", {}, {"anon": 302, "*": 302}),
    # the city's own pages; another city's officer sees its own city (D1 is not among its districts)
    ("get", "/designations/districts/", None, {"anon": 302, "officer": 200, "other_officer": 200, "*": 403}),
    (
        "post",
        "/designations/districts/",
        {"district": "{d1}", "year": 2025},
        {"anon": 302, "officer": 302, "other_officer": 302, "*": 403},
    ),
    ("get", "/designations/settings/", None, {"anon": 302, "officer": 200, "other_officer": 200, "*": 403}),
    (
        "post",
        "/designations/settings/",
        {"designation_valid_years": 4, "model_district_share": "50"},
        {"anon": 302, "officer": 302, "other_officer": 302, "*": 403},
    ),
    # the city's cadre pay benchmarks: its officer (who keeps its standards), each city its own rows
    ("get", "/funding/pay-benchmarks/", None, {"anon": 302, "officer": 200, "other_officer": 200, "*": 403}),
    (
        "get",
        "/funding/pay-benchmarks/{pb1}/edit/",
        None,
        {"anon": 302, "officer": 200, "other_officer": 404, "*": 403},
    ),
    (
        "post",
        "/funding/pay-benchmarks/new/",
        {
            "year": 2024,
            "urban_income": "21216",
            "both": "2010",
            "secretary_or_director": "1770",
            "deputy": "1530",
        },
        {"anon": 302, "officer": 302, "other_officer": 302, "*": 403},
    ),
    # the public verification page: no login
    ("get", "/verify/{des1_code}/", None, {"*": 200}),
    ("get", "/verify/UNKNOWNCODE1/", None, {"*": 404}),
]


def _expected(expect, user):
    return expect.get(user, expect.get("*"))


def _cases(rows):
    return [
        pytest.param(method, url, body, user, _expected(expect, user), id=f"{method} {url} as {user}")
        for method, url, body, expect in rows
        for user in USERS
    ]


class _Targets(dict):
    """Ids by name; a `lazy` one is made only when a row names it (so c1 holds a designation only in
    the rows about designations, and the rows deleting c1 still delete an undesignated community)."""

    def __init__(self, ready, lazy):
        super().__init__(ready)
        self.lazy = lazy

    def __missing__(self, key):
        if key not in self.lazy:
            raise KeyError(key)
        self[key] = self.lazy[key]()
        return self[key]


@pytest.fixture
def targets(world):
    from assessments.models import SelfCheck
    from core.models import Job
    from designations import titles
    from standards.models import StandardEdition

    job = Job.objects.create(owner=world.clerk, kind=Job.Kind.EXPORT, params={"list": "communities"})
    edition = StandardEdition.objects.current_for(world.tenant.pk, "urban")
    self_check = SelfCheck.objects.create(community=world.c1, year=2025, edition=edition)
    issued = []

    def designation_of_c1():
        # c1's 示范 of 2025, on its self-check, as the city's acceptance issues it
        if not issued:
            issued.append(titles.issue(title="model", year=2025, user=world.officer, self_check=self_check))
        return issued[0]

    return _Targets(
        {
            "sc1": self_check.pk,
            "en1": EnrolmentFactory(community=world.c1, year=2024).pk,
            "c1": world.c1.pk,
            "c_other": world.c_other.pk,
            "t1": world.t1.pk,
            "d1": world.d1.pk,
            "city": world.city.pk,
            "clerk_job": job.pk,
            "clerk_t3_user": world.clerk_t3.pk,
        },
        lazy={
            "des1": lambda: designation_of_c1().pk,
            "des1_code": lambda: designation_of_c1().code,
            "pb1": lambda: PayBenchmarkFactory(tenant=world.tenant, year=2023).pk,
        },
    )


def _fill(value, targets):
    if isinstance(value, str):
        return value.format_map(targets)
    if isinstance(value, list):
        return [_fill(v, targets) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, targets) for k, v in value.items()}
    return value


@pytest.mark.parametrize("method,url,body,user,expected", _cases(API))
def test_api_matrix(world, api, targets, method, url, body, user, expected):
    client = api if user == "anon" else api.as_user(getattr(world, user))
    response = getattr(client, method)(_fill(url, targets), _fill(body, targets), format="json")
    assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("method,url,body,user,expected", _cases(PAGES))
def test_page_matrix(world, client, targets, method, url, body, user, expected):
    if user != "anon":
        client.force_login(getattr(world, user))
    response = getattr(client, method)(_fill(url, targets), _fill(body, targets) or {})
    assert response.status_code == expected, response.content[:300]
    if user == "anon" and expected == 302:  # the public pages (verify/) answer anonymous callers
        assert response["Location"].startswith("/login/")
