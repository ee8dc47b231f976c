"""The one enrolment service, used by the enrolment page and the API (`enrolments/`): a community is
taken into a year's creation activity, or withdrawn from it, only here.

Each function runs in one transaction, re-checks the caller's write scope, refuses (409, `Conflict`)
to withdraw a community whose self-check of that year is in review, tells the change path
(`core.changes`), which ends the enrolment figures once the transaction commits, and tells the clerks of
each town concerned in their inbox (`tell_towns`): one message per town and save, listing its
communities enrolled and withdrawn.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from assessments.models import SelfCheck
from communities.models import Community
from core import changes
from core.exceptions import Conflict
from core.models import User
from core.notifications import notify
from core.roles import Role
from core.scope import assert_within_scope

from .models import Enrolment


def in_review(year: int, community_ids) -> list[int]:
    """The communities whose self-check of `year` is past draft/returned: they stay enrolled in the
    activity they were submitted to. Their self-check rows are locked till the transaction ends, so a
    submission and a withdrawal cannot pass each other."""
    statuses = dict(
        SelfCheck.objects.select_for_update()
        .filter(year=year, community_id__in=community_ids)
        .values_list("community_id", "status")
    )
    return sorted(pk for pk, status in statuses.items() if status not in SelfCheck.OPEN_STATUSES)


def enrol(user, community: Community, year: int) -> Enrolment:
    """Enrols `community` in `year`'s activity (the API's create; the one-per-year rule is the model's
    `clean()`, checked by the caller's form or serializer). Raises PermissionDenied outside the
    caller's write scope."""
    with transaction.atomic():
        enrolment = Enrolment.objects.create(community=community, year=year, enrolled_by=user)
        assert_within_scope(user, enrolment)
        changes.counted(enrolment)
        tell_towns(user, year, added=[community.pk])
    return enrolment


def withdraw(user, enrolment: Enrolment) -> None:
    """Withdraws one enrolment (the API's delete). Raises PermissionDenied outside the caller's write
    scope and Conflict when the community's self-check of that year is in review."""
    with transaction.atomic():
        assert_within_scope(user, enrolment)
        if in_review(enrolment.year, [enrolment.community_id]):
            raise Conflict(f"该社区{enrolment.year}年的自查已提交审核,不能移出创建活动名单。")
        enrolment.delete()
        changes.counted(enrolment)
        tell_towns(user, enrolment.year, removed=[enrolment.community_id])


def save_page(user, year: int, shown: set[int], ticked: set[int]) -> tuple[int, int]:
    """The enrolment page: enrols the ticked communities in `year`'s activity and withdraws the shown
    ones not ticked, in one transaction; (added, removed). Raises ValidationError for an id outside
    the caller's write scope and Conflict for a withdrawal whose self-check of that year is past
    `draft`/`returned`; either way nothing is changed."""
    ids = shown | ticked
    with transaction.atomic():
        communities = Community.objects.within_scope(user)
        in_scope = set(communities.filter(pk__in=ids).values_list("pk", flat=True))
        if ids - in_scope:
            raise ValidationError("所选社区中有不在您管辖范围内的社区,未作任何更改。")
        enrolments = Enrolment.objects.within_scope(user).filter(year=year)
        enrolled = set(
            enrolments.select_for_update().filter(community_id__in=ids).values_list("community_id", flat=True)
        )
        removing = (shown - ticked) & enrolled
        blocked = in_review(year, removing)
        if blocked:
            names = "、".join(
                communities.filter(pk__in=blocked)
                .order_by("unit__path", "name")
                .values_list("name", flat=True)
            )
            raise Conflict(
                f"{names}{year}年度的自查已提交区县审核(或已审核),不能移出创建活动名单。未作任何更改。"
            )
        enrolments.filter(community_id__in=removing).delete()  # checked above: none in review
        adding = ticked - enrolled
        Enrolment.objects.bulk_create(
            [Enrolment(community_id=pk, year=year, enrolled_by=user) for pk in sorted(adding)],
            ignore_conflicts=True,  # enrolled meanwhile by somebody else: already what was asked
        )
        changes.counted_in(community_ids=adding | removing)
        tell_towns(user, year, added=adding, removed=removing)
    return len(adding), len(removing)


def tell_towns(user, year: int, added=(), removed=()) -> None:
    """Tell the active clerks of each town concerned which of its communities were enrolled in (or
    withdrawn from) `year`'s activity: enrolled ones are to be self-checked and submitted."""
    ids = set(added) | set(removed)
    if not ids:
        return
    by_town: dict[int, tuple[list, list]] = {}
    for community in Community.objects.filter(pk__in=ids).select_related("unit").order_by("name"):
        lists = by_town.setdefault(community.unit_id, ([], []))
        lists[0 if community.pk in added else 1].append(community.name)
    clerks = User.objects.filter(unit_id__in=by_town, role=Role.TOWN_CLERK, is_active=True).exclude(
        pk=user.pk
    )
    for town_id, (enrolled, withdrawn) in by_town.items():
        lines = []
        if enrolled:
            lines.append(
                f"列入{year}年创建活动:{'、'.join(enrolled)}。请完成{year}年度自查,补齐差距后提交区县审核。"
            )
        if withdrawn:
            lines.append(f"移出{year}年创建活动:{'、'.join(withdrawn)}。")
        parts = []
        if enrolled:
            parts.append(f"{len(enrolled)}个社区列入")
        if withdrawn:
            parts.append(f"{len(withdrawn)}个社区移出")
        notify(
            clerks.filter(unit_id=town_id),
            title=f"{year}年创建活动名单:{'、'.join(parts)}",
            body="\n".join([*lines, f"确定人:{user}"]),
            link=f"{reverse('self-check-list')}?year={year}",
        )
