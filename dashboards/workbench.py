"""The home page (工作台): what waits for the user, by role (docs/architecture.md, "The workbench").

    town clerk         the year's enrolled communities still to submit (returned ones first, with the
                       district's comment) and the open self-checks furthest from full marks
    district reviewer  the review queue (oldest submission first) and U-FILE's filing deadline with the
                       new communities not yet filed
    city officer       the acceptance queue (oldest approval first) and the designations to renew

Every list is read through `visible_to(user)` and cut to `SHOWN` rows (the gaps to `GAPS_SHOWN`); each
says how many there are in all and links to the full list. A bounded number of queries per role,
whatever the size of the scope.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import F, OuterRef, Subquery
from django.urls import reverse

from assessments.models import SelfCheck, SelfCheckEvent
from assessments.reminders import filing_deadline, unfiled_new_communities
from communities.models import Community
from core.roles import Role
from designations.models import Designation, Enrolment
from designations.titles import renewal_days

SHOWN = 10
GAPS_SHOWN = 5
Status = SelfCheck.Status
Step = SelfCheckEvent.Step


@dataclass
class Queue:
    """One list of the workbench: the rows shown, how many there are in all, the full list's link."""

    key: str
    title: str
    rows: list
    total: int
    link: str = ""
    empty: str = "暂无。"
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def for_user(user, today: date) -> list[Queue]:
    """The queues of the user's role for `today`'s year; none for a role with no work of its own."""
    builders = {
        Role.TOWN_CLERK: _clerk,
        Role.DISTRICT_REVIEWER: _reviewer,
        Role.CITY_OFFICER: _officer,
    }
    builder = builders.get(user.role)
    return builder(user, today) if builder else []


def _last_event(step: str, column: str):
    """The newest `step` event's `column` of each self-check, as a subquery."""
    return Subquery(
        SelfCheckEvent.objects.filter(self_check=OuterRef("pk"), step=step)
        .order_by("-at", "-pk")
        .values(column)[:1]
    )


def _cut(queryset, shown: int | None = None) -> tuple[list, int]:
    """The first `shown` (else `SHOWN`) rows and how many there are in all (counted only when there
    may be more)."""
    shown = shown or SHOWN
    rows = list(queryset[:shown])
    total = len(rows) if len(rows) < shown else queryset.count()
    return rows, total


def _self_checks(**query) -> str:
    return reverse("self-check-list") + "?" + "&".join(f"{key}={value}" for key, value in query.items())


def _clerk(user, today: date) -> list[Queue]:
    year = today.year
    self_checks = SelfCheck.objects.visible_to(user).filter(year=year)
    enrolled = Enrolment.objects.visible_to(user).filter(year=year).values("community_id")
    # Enrolled, not yet submitted: the self-check is open, or the community has none yet this year.
    to_submit = (
        Community.objects.visible_to(user)
        .filter(pk__in=enrolled)
        .exclude(pk__in=self_checks.exclude(status__in=SelfCheck.OPEN_STATUSES).values("community_id"))
        .select_related("unit")
        .annotate(
            self_check_status=Subquery(self_checks.filter(community=OuterRef("pk")).values("status")[:1])
        )
        # Returned before draft before none yet: the ones the district is waiting on first.
        .order_by(F("self_check_status").desc(nulls_last=True), "unit__path", "name")
    )
    submit_rows, submit_total = _cut(to_submit)
    checks = {check.community_id: check for check in self_checks.filter(community__in=submit_rows)}
    for community in submit_rows:
        community.self_check = checks.get(community.pk)
    returned = (
        self_checks.filter(status=Status.RETURNED)
        .select_related("community__unit")
        .annotate(
            returned_at=_last_event(Step.RETURN, "at"),
            return_comment=_last_event(Step.RETURN, "comment"),
        )
        .order_by(F("returned_at").asc(nulls_last=True), "pk")
    )
    returned_rows, returned_total = _cut(returned)
    # Furthest from full marks first: what the town can still recover is the gap list's to say.
    gaps = (
        self_checks.filter(status__in=SelfCheck.OPEN_STATUSES)
        .select_related("community__unit", "edition")
        .order_by("score", "community__name")
    )
    gap_rows, gap_total = _cut(gaps, GAPS_SHOWN)
    for self_check in gap_rows:
        self_check.summary = self_check.gap_summary
    return [
        Queue(
            "to_submit",
            f"{year}年创建活动待提交",
            submit_rows,
            submit_total,
            link=f"{reverse('enrolment-list')}?year={year}",
            empty=f"{year}年列入创建活动的社区都已提交。",
        ),
        Queue(
            "returned",
            "被退回的自查",
            returned_rows,
            returned_total,
            link=_self_checks(year=year, status=Status.RETURNED),
            empty="没有被退回的自查。",
        ),
        Queue(
            "largest_gaps",
            "差距最大的社区",
            gap_rows,
            gap_total,
            link=_self_checks(year=year),
            empty="暂无未提交的自查。",
        ),
    ]


def _reviewer(user, today: date) -> list[Queue]:
    year = today.year
    queue = (
        SelfCheck.objects.visible_to(user)
        .filter(status=Status.SUBMITTED)
        .select_related("community__unit")
        .annotate(submitted_at=_last_event(Step.SUBMIT, "at"))
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
    )
    queue_rows, queue_total = _cut(queue)
    queues = [
        Queue(
            "review",
            "待审核的自查",
            queue_rows,
            queue_total,
            link=_self_checks(status=Status.SUBMITTED),
            empty="没有待审核的自查。",
        )
    ]
    deadline = filing_deadline(user.tenant_id, year)
    if deadline is not None:
        if deadline < today:  # this year's has passed: the next one is what waits
            deadline = filing_deadline(user.tenant_id, year + 1)
        unfiled = unfiled_new_communities(Community.objects.visible_to(user), deadline)
        unfiled_rows, unfiled_total = _cut(unfiled.select_related("unit"))
        queues.append(
            Queue(
                "filing",
                f"新成立社区报市备案(截止{deadline:%Y年%m月%d日})",
                unfiled_rows,
                unfiled_total,
                link=reverse("community-list"),
                empty="新成立的社区都已登记备案。",
                note=f"距截止还有{(deadline - today).days}天。",
                extra={"deadline": deadline},
            )
        )
    return queues


def _officer(user, today: date) -> list[Queue]:
    queue = (
        SelfCheck.objects.visible_to(user)
        .filter(status=Status.DISTRICT_APPROVED)
        .select_related("community__unit__parent")
        .annotate(approved_at=_last_event(Step.APPROVE, "at"))
        .order_by(F("approved_at").asc(nulls_last=True), "pk")
    )
    queue_rows, queue_total = _cut(queue)
    horizon = today + timedelta(days=renewal_days())
    renewals = (
        Designation.objects.visible_to(user)
        .current()
        .filter(valid_until__lte=horizon)
        .select_related("community__unit", "unit")
        .order_by("valid_until", "pk")
    )
    renewal_rows, renewal_total = _cut(renewals)
    return [
        Queue(
            "acceptance",
            "待验收的自查",
            queue_rows,
            queue_total,
            link=_self_checks(status=Status.DISTRICT_APPROVED),
            empty="没有待验收的自查。",
        ),
        Queue(
            "renewals",
            f"{renewal_days()}天内到期的称号",
            renewal_rows,
            renewal_total,
            link=reverse("designation-list"),
            empty="近期没有到期的称号。",
        ),
    ]
