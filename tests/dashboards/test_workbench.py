"""The home page (工作台): what waits for each role, read within the user's scope, and the clerk's inbox
message when the district enrols (or withdraws) a community."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from assessments.models import SelfCheck, SelfCheckEvent
from core.models import Notification
from dashboards import workbench
from demo.factories import CommunityFactory, DesignationFactory, EnrolmentFactory, SelfCheckFactory
from designations import enrolments

Status = SelfCheck.Status
Step = SelfCheckEvent.Step
TODAY = timezone.localdate()
YEAR = TODAY.year


def queues(user, today=TODAY) -> dict:
    return {queue.key: queue for queue in workbench.for_user(user, today)}


def event(self_check, step, actor, at, comment="", to_status=None):
    """A workflow event at a given time (the workflow's own tests cover how steps write them)."""
    row = SelfCheckEvent.objects.create(
        self_check=self_check,
        step=step,
        from_status=Status.SUBMITTED,
        to_status=to_status or self_check.status,
        actor=actor,
        comment=comment,
    )
    SelfCheckEvent.objects.filter(pk=row.pk).update(at=timezone.make_aware(at))
    return row


@pytest.mark.django_db
def test_the_clerk_sees_enrolled_communities_to_submit_returned_first(world):
    returned = SelfCheckFactory(community=world.c1, status=Status.RETURNED, score="81.26")
    event(returned, Step.RETURN, world.reviewer, datetime(YEAR, 3, 1), comment="会议记录缺少签到表")
    no_check = CommunityFactory(unit=world.t1, name="阿尔丁社区")
    submitted = CommunityFactory(unit=world.t1, name="已提交社区")
    SelfCheckFactory(community=submitted, status=Status.SUBMITTED)
    not_enrolled = CommunityFactory(unit=world.t1, name="未列入社区")
    SelfCheckFactory(community=not_enrolled)
    for community in (world.c1, no_check, submitted, world.c2):  # c2 is another town's
        EnrolmentFactory(community=community, year=YEAR)

    mine = queues(world.clerk)

    to_submit = mine["to_submit"]
    assert [row.name for row in to_submit.rows] == ["幸福社区", "阿尔丁社区"]
    assert [row.self_check for row in to_submit.rows] == [returned, None]
    assert to_submit.total == 2
    assert [(row.pk, row.return_comment) for row in mine["returned"].rows] == [
        (returned.pk, "会议记录缺少签到表")
    ]


@pytest.mark.django_db
def test_the_clerks_largest_gaps_are_the_open_self_checks_lowest_score_first(world):
    low = SelfCheckFactory(community=world.c1, score=40)
    high = SelfCheckFactory(community=CommunityFactory(unit=world.t1), score=75)
    SelfCheckFactory(community=CommunityFactory(unit=world.t1), score=10, status=Status.SUBMITTED)
    SelfCheckFactory(community=world.c2, score=5)  # another town's

    gaps = queues(world.clerk)["largest_gaps"]

    assert [row.pk for row in gaps.rows] == [low.pk, high.pk]
    assert all("town" in row.summary and "vetoes" in row.summary for row in gaps.rows)


@pytest.mark.django_db
def test_the_review_queue_is_the_districts_submissions_oldest_first(world):
    newer = SelfCheckFactory(community=world.c1, status=Status.SUBMITTED)
    older = SelfCheckFactory(community=world.c2, status=Status.SUBMITTED)
    event(newer, Step.SUBMIT, world.clerk, datetime(YEAR, 5, 2))
    event(older, Step.SUBMIT, world.clerk, datetime(YEAR, 5, 1))
    SelfCheckFactory(community=world.c3, status=Status.SUBMITTED)  # the other district's
    SelfCheckFactory(community=CommunityFactory(unit=world.t1), status=Status.DRAFT)

    review = queues(world.reviewer)["review"]

    assert [row.pk for row in review.rows] == [older.pk, newer.pk]
    assert review.total == 2
    assert timezone.localtime(review.rows[0].submitted_at).date() == date(YEAR, 5, 1)


@pytest.mark.django_db
def test_the_reviewer_sees_the_filing_deadline_and_the_new_communities_not_filed(world):
    new = CommunityFactory(unit=world.t1, name="新成立社区", established_on=date(YEAR, 1, 10))
    CommunityFactory(
        unit=world.t2, name="已备案社区", established_on=date(YEAR, 1, 10), filed_on=date(YEAR, 2, 1)
    )
    CommunityFactory(
        unit=world.t3, name="青山新社区", established_on=date(YEAR, 1, 10)
    )  # the other district's

    filing = queues(world.reviewer, today=date(YEAR, 11, 20))["filing"]

    assert filing.extra["deadline"] == date(YEAR, 11, 30)
    assert [row.pk for row in filing.rows] == [new.pk]
    assert "10天" in filing.note
    # Once this year's deadline has passed, the next one is what waits: this community is late, not due.
    later = queues(world.reviewer, today=date(YEAR, 12, 5))["filing"]
    assert later.extra["deadline"] == date(YEAR + 1, 11, 30) and later.rows == []


@pytest.mark.django_db
def test_the_city_sees_its_acceptance_queue_and_the_designations_to_renew(world, settings):
    settings.DESIGNATION_RENEWAL_DAYS = 90
    approved = SelfCheckFactory(community=world.c1, status=Status.DISTRICT_APPROVED)
    SelfCheckFactory(community=world.c_other, status=Status.DISTRICT_APPROVED)  # another city's
    soon = DesignationFactory(community=world.c2, valid_until=TODAY + timedelta(days=30))
    DesignationFactory(community=world.c3, valid_until=TODAY + timedelta(days=400))
    DesignationFactory(community=world.c1, valid_until=TODAY + timedelta(days=10), revoked=True)
    DesignationFactory(community=world.c_other, valid_until=TODAY + timedelta(days=10))

    mine = queues(world.officer)

    assert [row.pk for row in mine["acceptance"].rows] == [approved.pk]
    assert [row.pk for row in mine["renewals"].rows] == [soon.pk]


@pytest.mark.django_db
def test_a_long_queue_shows_the_first_rows_and_says_how_many_more(world, monkeypatch):
    monkeypatch.setattr(workbench, "SHOWN", 2)
    for _ in range(5):
        SelfCheckFactory(community=CommunityFactory(unit=world.t1), status=Status.SUBMITTED)

    review = queues(world.reviewer)["review"]

    assert (len(review.rows), review.total, review.more) == (2, 5, 3)


@pytest.mark.django_db
def test_the_home_page_shows_each_roles_queues_and_the_reader_none(
    world, client, django_assert_max_num_queries
):
    checked = SelfCheckFactory(community=world.c1, status=Status.SUBMITTED)
    event(checked, Step.SUBMIT, world.clerk, datetime(YEAR, 5, 1))
    for _ in range(12):
        SelfCheckFactory(community=CommunityFactory(unit=world.t2), status=Status.SUBMITTED)

    client.force_login(world.reviewer)
    with django_assert_max_num_queries(30):
        page = client.get("/").content.decode()
    assert 'data-testid="queue-review"' in page and "还有3项" in page
    assert f"/self-checks/{checked.pk}/" in page

    client.force_login(world.clerk)
    page = client.get("/").content.decode()
    assert 'data-testid="queue-to_submit"' in page and 'data-testid="queue-review"' not in page

    client.force_login(world.reader)
    assert 'data-testid="workbench"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_enrolling_and_withdrawing_tells_the_towns_clerks(world):
    added, removed = enrolments.save_page(
        world.reviewer, YEAR, shown={world.c1.pk}, ticked={world.c1.pk, world.c2.pk}
    )
    assert (added, removed) == (2, 0)

    told = Notification.objects.get(recipient=world.clerk)
    assert (
        "1个社区列入" in told.title and "幸福社区" in told.body and told.link == f"/self-checks/?year={YEAR}"
    )
    assert not Notification.objects.filter(recipient=world.clerk_t3).exists()

    enrolments.save_page(world.reviewer, YEAR, shown={world.c1.pk}, ticked=set())
    withdrawn = Notification.objects.filter(recipient=world.clerk).latest("pk")
    assert "1个社区移出" in withdrawn.title and "幸福社区" in withdrawn.body


@pytest.mark.django_db
def test_an_enrolment_through_the_api_tells_the_clerk(world, api):
    response = api.as_user(world.reviewer).post(
        "/api/v1/enrolments/", {"community": world.c1.pk, "year": YEAR}, format="json"
    )
    assert response.status_code == 201, response.content

    assert Notification.objects.filter(recipient=world.clerk, body__contains="幸福社区").count() == 1
