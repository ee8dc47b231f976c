"""`enrolments/` (docs/api.md): the district or the city enrols communities of its scope in a year's
creation activity; one per community and year; the clerk and reader only read."""

import pytest
from django.utils import timezone

from demo.factories import EnrolmentFactory
from designations.models import Enrolment

YEAR = timezone.localdate().year


@pytest.mark.django_db
def test_reviewer_enrols_and_removes_a_community_of_the_district(world, api):
    client = api.as_user(world.reviewer)
    created = client.post("/api/v1/enrolments/", {"community": world.c1.pk, "year": YEAR}, format="json")
    assert created.status_code == 201, created.content
    enrolment = Enrolment.objects.get(pk=created.json()["id"])
    assert enrolment.enrolled_by == world.reviewer

    listed = client.get(f"/api/v1/enrolments/?year={YEAR}").json()
    assert [row["community"] for row in listed["results"]] == [world.c1.pk]

    assert client.delete(f"/api/v1/enrolments/{enrolment.pk}/").status_code == 204
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_a_second_enrolment_of_the_year_is_refused_on_the_community(world, api):
    EnrolmentFactory(community=world.c1, year=YEAR)
    response = api.as_user(world.officer).post(
        "/api/v1/enrolments/", {"community": world.c1.pk, "year": YEAR}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"community": [f"该社区已列入{YEAR}年创建活动。"]}
    assert Enrolment.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "status"),
    [("clerk", 403), ("reader", 403), ("reviewer", 201), ("officer", 201), ("other_officer", 400)],
)
def test_who_may_enrol_c1(world, api, user, status):
    response = api.as_user(getattr(world, user)).post(
        "/api/v1/enrolments/", {"community": world.c1.pk, "year": YEAR}, format="json"
    )
    assert response.status_code == status, response.content
    assert Enrolment.objects.count() == (1 if status == 201 else 0)


@pytest.mark.django_db
def test_a_reviewer_cannot_enrol_another_district_s_community(world, api):
    response = api.as_user(world.reviewer).post(
        "/api/v1/enrolments/", {"community": world.c3.pk, "year": YEAR}, format="json"
    )
    assert response.status_code == 400 and "community" in response.json()
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_an_enrolment_whose_self_check_is_in_review_cannot_be_removed(world, api):
    from assessments import runs
    from assessments.models import SelfCheck

    enrolment = EnrolmentFactory(community=world.c1, year=YEAR)
    runs.evaluate_communities([world.c1.pk], YEAR)
    SelfCheck.objects.filter(community=world.c1).update(status=SelfCheck.Status.SUBMITTED)

    response = api.as_user(world.reviewer).delete(f"/api/v1/enrolments/{enrolment.pk}/")

    assert response.status_code == 409
    assert "已提交审核" in response.json()["detail"]
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()
