"""Who hears about each step of a self-check's workflow, and what they are told (docs/api.md, the review workflow).

The workflow calls `on_event(event)` right after writing each `SelfCheckEvent`, inside its
transaction: the inbox rows commit or roll back with the step, the e-mails leave after the commit.

    submit           → the district's reviewers (a self-check waits for their review)
    return           → the town's clerks
    approve          → the city's officers (it waits for their acceptance) and the town's clerks
    accept / reject  → the town's clerks and the district's reviewers
    reopen           → the tiers below the one who reopened: by the city, the district's reviewers
                       and the town's clerks; by the district, the town's clerks
    judge/site_visit → nobody (intermediate work, reported by the decision that follows)

Only active users of the community's own town, district and city (and tenant) are told; the actor
never notifies themself.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat

from core.models import Notification, User
from core.notifications import notify
from core.roles import Role, Tier
from designations.models import Designation

from .models import SelfCheckEvent

Step = SelfCheckEvent.Step

# What happened, as the middle of "幸福社区2026年度自查……", and who the actor was in that step.
PHRASES = {
    Step.SUBMIT: ("已提交区县审核", "提交人"),
    Step.RETURN: ("已退回", "审核人"),
    Step.APPROVE: ("已通过区县审核", "审核人"),
    Step.ACCEPT: ("已通过市级验收", "验收人"),
    Step.REJECT: ("未通过市级验收", "验收人"),
    Step.REOPEN: ("已撤回重审", "操作人"),
}

# The longest comment quoted in a title; the body always has all of it.
TITLE_COMMENT_MAX = 60

CLERKS, REVIEWERS, OFFICERS = "clerks", "reviewers", "officers"


def audience(event: SelfCheckEvent) -> set[str]:
    """Which groups of the community's chain hear about this step."""
    step = event.step
    if step == Step.SUBMIT:
        return {REVIEWERS}
    if step == Step.RETURN:
        return {CLERKS}
    if step == Step.APPROVE:
        return {OFFICERS, CLERKS}
    if step in (Step.ACCEPT, Step.REJECT):
        return {CLERKS, REVIEWERS}
    if step == Step.REOPEN:
        actor = event.actor
        if actor.unit_id and actor.unit.tier == Tier.DISTRICT:
            return {CLERKS}
        return {CLERKS, REVIEWERS}  # the city (or a platform superuser) reopened
    return set()  # judge, site_visit


def recipients(event: SelfCheckEvent):
    """The active users to notify of `event`, the actor excluded."""
    groups = audience(event)
    if not groups:
        return User.objects.none()
    town = event.self_check.community.unit
    ancestors = town.ancestor_ids  # [city, district]
    city_id, district_id = (ancestors + [None, None])[:2]
    chain = {
        CLERKS: Q(role=Role.TOWN_CLERK, unit_id=town.pk),
        REVIEWERS: Q(role=Role.DISTRICT_REVIEWER, unit_id=district_id),
        OFFICERS: Q(role=Role.CITY_OFFICER, unit_id=city_id),
    }
    wanted = Q()
    for group in groups:
        wanted |= chain[group]
    return (
        User.objects.filter(wanted, tenant_id=town.tenant_id, is_active=True)
        .exclude(pk=event.actor_id)
        .order_by("pk")
    )


def describe(event: SelfCheckEvent, comment_max: int | None = None) -> str:
    """E.g. "幸福社区2026年度自查已退回:材料不全(审核人:张三)"."""
    self_check = event.self_check
    phrase, actor_label = PHRASES[event.step]
    if event.step == Step.ACCEPT:
        designation = Designation.objects.filter(self_check=self_check, revoked=False).first()
        if designation is not None:
            phrase += f",授予“{designation.get_title_display()}”称号"
    elif event.step == Step.REOPEN:
        phrase += f",回到“{event.get_to_status_display()}”"
    comment = " ".join((event.comment or "").split())
    if comment_max is not None and len(comment) > comment_max:
        comment = comment[: comment_max - 1] + "…"
    said = f":{comment}" if comment else ""
    return f"{self_check.community.name}{self_check.year}年度自查{phrase}{said}({actor_label}:{event.actor})"


def on_event(event: SelfCheckEvent) -> list[Notification]:
    """Notify whoever `event` concerns (see the module's table); returns the notifications written."""
    if event.step not in PHRASES:
        return []
    users = list(recipients(event))
    if not users:
        return []
    return notify(
        users,
        title=describe(event, comment_max=TITLE_COMMENT_MAX),
        body="\n".join(details(event)),
        link=reverse("self-check-detail", args=[event.self_check.pk]),
    )


def details(event: SelfCheckEvent) -> list[str]:
    """The body's lines: what the title does not already say. The comment whole (the title cuts it),
    the community, the status, and after an acceptance the title awarded and its certificate."""
    self_check = event.self_check
    town = self_check.community.unit
    district = town.parent
    lines = []
    comment = (event.comment or "").strip()
    if comment:
        lines.append(f"意见:{comment}")
    lines += [
        f"社区:{district.name if district else ''}{town.name} {self_check.community.name}",
        f"状态:{event.get_from_status_display()} → {event.get_to_status_display()}",
    ]
    if event.step == Step.ACCEPT:
        designation = Designation.objects.filter(self_check=self_check, revoked=False).first()
        if designation is not None:
            lines += [
                f"称号:{self_check.year}年度“{designation.get_title_display()}”,"
                f"有效期至{dateformat.format(designation.valid_until, 'Y年n月j日')}",
                f"证书核验码:{designation.code_display},可在称号页下载证书,"
                f"凭核验码在 {designation.verify_path} 核验真伪",
            ]
    return lines
