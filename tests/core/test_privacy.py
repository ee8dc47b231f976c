"""Personal data (core.privacy): shown whole to the roles that file and review records, inside their
own scope; masked for api_reader and for objects read through a grant beyond the role scope, in the
API, on pages, in change history and in exports."""

import io

import pytest
from django.apps import apps
from guardian.shortcuts import assign_perm
from openpyxl import load_workbook

from communities import records
from core import privacy
from core.models import Job

from ..records.cases import CASES

PHONE = "13812345678"
MASKED = "138****5678"

# Every record type field declared personal: new ones join these tests by declaring themselves.
PERSONAL = [
    (record_type.slug, name)
    for record_type in records.all_types()
    for name in privacy.personal_fields(record_type.model)
]
SEES_WHOLE = ["clerk", "reviewer", "officer"]
SEES_MASKED = ["reader", "reader_d1"]


def _record(slug, name, community, value=PHONE):
    return CASES[slug].make(community, **{name: value})


def _workbook(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)


@pytest.mark.parametrize(
    "value,masked",
    [
        ("13812345678", "138****5678"),
        ("0471-1234567", "047*****4567"),
        ("12345678", "123*5678"),
        ("1234567", "*******"),  # too short to keep 3 + 4 characters: masked whole
        ("110", "***"),
    ],
)
def test_mask_phone_keeps_the_first_three_and_last_four(value, masked):
    assert privacy.mask_phone(value) == masked


def test_every_phone_or_id_field_is_declared_personal():
    """A new phone or ID-number field is masked from the start, or this test names it."""
    # The community's office phone is the public number of an office, with no person named beside it.
    public = {("communities", "community", "phone")}
    undeclared = [
        (model._meta.app_label, model._meta.model_name, field.name)
        for model in apps.get_models()
        # django-simple-history's copies: read only through communities.history, which masks them
        if not model.__name__.startswith("Historical")
        for field in model._meta.concrete_fields
        if any(word in field.name for word in ("phone", "mobile", "id_number", "id_card"))
        and field.name not in privacy.personal_fields(model)
    ]
    assert set(undeclared) == public
    assert PERSONAL == [("building-leaders", "phone"), ("members", "phone")]


@pytest.mark.parametrize("slug,name", PERSONAL)
@pytest.mark.parametrize("user", SEES_WHOLE + SEES_MASKED)
def test_api_list_and_detail(world, api, slug, name, user):
    obj = _record(slug, name, world.c1)
    client = api.as_user(getattr(world, user))
    expected = PHONE if user in SEES_WHOLE else MASKED
    (row,) = client.get(f"/api/v1/{slug}/").json()["results"]
    assert row[name] == expected
    assert client.get(f"/api/v1/{slug}/{obj.pk}/").json()[name] == expected


@pytest.mark.parametrize("slug,name", PERSONAL)
def test_api_out_of_scope_is_still_404(world, api, slug, name):
    obj = _record(slug, name, world.c1)
    response = api.as_user(world.clerk_t3).get(f"/api/v1/{slug}/{obj.pk}/")
    assert response.status_code == 404 and PHONE not in response.content.decode()


@pytest.mark.parametrize("slug,name", PERSONAL)
def test_empty_value_stays_empty(world, api, slug, name):
    _record(slug, name, world.c1, value="")
    (row,) = api.as_user(world.reader).get(f"/api/v1/{slug}/").json()["results"]
    assert row[name] == ""


@pytest.mark.parametrize("slug,name", PERSONAL)
def test_a_read_grant_beyond_the_role_scope_shows_it_masked(world, api, client, slug, name):
    """An inspector granted one community of another town reads its records, not its people's phones;
    in the inspector's own town the same role sees them whole."""
    granted = _record(slug, name, world.c1)
    own = _record(slug, name, world.c3, value="13900001111")
    assign_perm("view_community", world.clerk_t3, world.c1)
    rows = api.as_user(world.clerk_t3).get(f"/api/v1/{slug}/").json()["results"]
    assert {row["id"]: row[name] for row in rows} == {granted.pk: MASKED, own.pk: "13900001111"}
    client.force_login(world.clerk_t3)
    page = client.get(f"/records/{slug}/{granted.pk}/").content.decode()
    assert MASKED in page and PHONE not in page


@pytest.mark.parametrize("slug,name", PERSONAL)
@pytest.mark.parametrize("user", ["clerk", "reader"])
def test_pages_list_detail_and_community(world, client, slug, name, user):
    obj = _record(slug, name, world.c1)
    client.force_login(getattr(world, user))
    shown, hidden = (PHONE, MASKED) if user == "clerk" else (MASKED, PHONE)
    for url in (f"/records/{slug}/", f"/records/{slug}/{obj.pk}/", f"/communities/{world.c1.pk}/"):
        page = client.get(url).content.decode()
        assert shown in page and hidden not in page, url


@pytest.mark.parametrize("slug,name", PERSONAL)
def test_history_masks_old_and_new_values(world, api, client, slug, name):
    obj = _record(slug, name, world.c1)
    changed = api.as_user(world.clerk).patch(
        f"/api/v1/{slug}/{obj.pk}/", {name: "13698765432"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    label = str(obj._meta.get_field(name).verbose_name)
    for user, old, new in [
        ("reviewer", PHONE, "13698765432"),
        ("reader", MASKED, "136****5432"),
    ]:
        reader = api.as_user(getattr(world, user))
        for query in (f"&record={slug}&id={obj.pk}", ""):
            entries = reader.get(f"/api/v1/history/?community={world.c1.pk}{query}").json()["results"]
            (update,) = [
                e for e in entries if (e["slug"], e["object_id"], e["action"]) == (slug, obj.pk, "修改")
            ]
            assert update["changes"] == [[label, old, new]], (user, query)
        client.force_login(getattr(world, user))
        for url in (f"/records/{slug}/{obj.pk}/history/", f"/communities/{world.c1.pk}/history/"):
            page = client.get(url).content.decode()
            assert f"{old} → {new}" in page, (user, url)
            if user == "reader":
                assert PHONE not in page and "13698765432" not in page


@pytest.mark.parametrize("slug,name", PERSONAL)
@pytest.mark.parametrize("user", ["clerk", "reader"])
def test_export(world, client, eager_tasks, django_capture_on_commit_callbacks, slug, name, user):
    _record(slug, name, world.c1)
    client.force_login(getattr(world, user))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/exports/{slug}/", {})
    job = Job.objects.get(owner=getattr(world, user))
    header, *rows = _workbook(client.get(f"/jobs/{job.pk}/download/"))
    column = header.index(str(records.get(slug).model._meta.get_field(name).verbose_name))
    assert [row[column] for row in rows] == [PHONE if user == "clerk" else MASKED]


def test_api_ordering_by_a_masked_field_is_ignored(world, api):
    """Sorted by the hidden digits, the rows would tell what the mask hides."""
    make = CASES["members"].make
    # Default order is by name here (same body and role); by phone it is the other way round.
    first = make(world.c1, name="张一", phone="13899990000")
    second = make(world.c1, name="张二", phone="13811110000")
    rows = api.as_user(world.clerk).get("/api/v1/members/?ordering=phone").json()["results"]
    assert [row["id"] for row in rows] == [second.pk, first.pk]
    rows = api.as_user(world.reader).get("/api/v1/members/?ordering=phone").json()["results"]
    assert [row["id"] for row in rows] == [first.pk, second.pk]


class TestExportFileDownload:
    """Tiers above a job's owner may fetch its file; one with personal data whole only if they see it."""

    @pytest.fixture
    def clerk_export(self, world, client, eager_tasks, django_capture_on_commit_callbacks):
        def run(slug):
            client.force_login(world.clerk)
            with django_capture_on_commit_callbacks(execute=True):
                client.post(f"/exports/{slug}/", {})
            return Job.objects.filter(owner=world.clerk).latest("pk")

        return run

    def test_reader_above_gets_no_file_with_phones_whole(self, world, client, clerk_export):
        _record("members", "phone", world.c1)
        job = clerk_export("members")
        for user, status in [("reader", 403), ("reader_d1", 403), ("reviewer", 200), ("officer", 200)]:
            client.force_login(getattr(world, user))
            assert client.get(f"/jobs/{job.pk}/download/").status_code == status, user
        client.force_login(world.clerk_t3)
        assert client.get(f"/jobs/{job.pk}/download/").status_code == 404  # outside the job scope, as before

    def test_reader_above_still_gets_a_file_without_personal_data(self, world, client, clerk_export):
        _record("members", "phone", world.c1, value="")
        empty_phones = clerk_export("members")
        communities = clerk_export("communities")
        client.force_login(world.reader)
        for job in (empty_phones, communities):
            assert client.get(f"/jobs/{job.pk}/download/").status_code == 200


def test_user_phone_is_personal(world):
    world.clerk.phone = PHONE
    privacy.redact(world.officer, world.clerk)
    assert world.clerk.phone == PHONE
    privacy.redact(world.reader, world.clerk)
    assert world.clerk.phone == MASKED


def test_a_serializer_without_a_request_masks(world):
    member = _record("members", "phone", world.c1)
    assert records.get("members").serializer(member).data["phone"] == MASKED


@pytest.mark.parametrize(
    "user,sees", [("clerk", True), ("reviewer", True), ("officer", True), ("reader", False)]
)
def test_the_rule_follows_the_role_table(world, user, sees):
    assert privacy.sees_personal_data(getattr(world, user)) is sees
    assert privacy.sees_personal_data(getattr(world, user), world.c1) is sees
    # c3 lies in district D2: outside the clerk's and the reviewer's scope, inside the officer's
    assert privacy.sees_personal_data(getattr(world, user), world.c3) is (user == "officer")


@pytest.mark.parametrize("user", ["clerk", "reader"])
def test_deciding_per_row_costs_no_query_per_row(world, api, client, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api.as_user(getattr(world, user))
    client.force_login(getattr(world, user))

    def queries(url, via):
        with CaptureQueriesContext(connection) as captured:
            assert via.get(url).status_code == 200
        return len(captured)

    CASES["members"].make(world.c1, phone=PHONE)
    api.get("/api/v1/members/")  # a token's first use records it (once a minute at most)
    few = [queries(url, via) for url, via in [("/api/v1/members/", api), ("/records/members/", client)]]
    for n in range(10):
        CASES["members"].make(world.c1, name=f"成员{n}", phone=f"1380000{n:04d}")
    many = [queries(url, via) for url, via in [("/api/v1/members/", api), ("/records/members/", client)]]
    assert many == few
