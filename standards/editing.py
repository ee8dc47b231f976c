"""The editing workflow of standard editions: copy → edit the draft → publish.

Every function checks the role (`core.roles.Action.MANAGE_STANDARDS`, the city officer) and the scope
(the edition belongs to the caller's city), refuses any change to a published edition
(`EditionLocked`), validates with the models' own `clean()` and writes in one transaction. Views and
API handlers only call these.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.exceptions import Conflict
from core.roles import Action
from core.scope import may

from .models import EditionLocked, Indicator, StandardEdition

EDITABLE_EDITION_FIELDS = ("name", "code", "min_scores", "bonus_cap")
# Fields of an indicator that a city may change in its draft (a new indicator sets the rest too).
EDITABLE_INDICATOR_FIELDS = (
    "level",
    "section",
    "points",
    "method",
    "scoring",
    "scoring_params",
    "veto",
    "bonus",
    "operator",
    "params",
    "threshold",
    "advice",
)
NEW_INDICATOR_FIELDS = (
    "code",
    "category",
    "requirement",
    "measure",
    "params",
    "operator",
    "threshold",
    "level",
    "section",
    "points",
    "scoring",
    "scoring_params",
    "veto",
    "bonus",
    "advice",
)


# What a draft would do to last year's self-checks of the city: the self-checks belong to the
# assessments app, above this one, which installs its preview here when it loads.
_preview: Callable[[StandardEdition, Any], Any] | None = None


def install_preview(source: Callable[[StandardEdition, Any], Any]) -> None:
    global _preview
    _preview = source


def preview(edition: StandardEdition, user):
    """The installed preview of `edition` for `user` (None without one)."""
    return _preview(edition, user) if _preview is not None else None


def _require_manager(user, edition: StandardEdition | None = None):
    if not may(user, Action.MANAGE_STANDARDS) or not user.tenant_id:
        raise PermissionDenied("只有市社区办管理员可以维护标准。")
    if edition is not None and not may(user, Action.MANAGE_STANDARDS, edition):
        raise PermissionDenied("只能修改本市的标准版本。")


def _require_draft(edition: StandardEdition):
    # Read from the database: the caller's copy of the object may be stale.
    if edition.stored_status() != StandardEdition.Status.DRAFT:
        raise EditionLocked()


@transaction.atomic
def copy_edition(edition: StandardEdition, user) -> StandardEdition:
    """A draft copy of a published edition in the caller's city, as the next version of its code."""
    _require_manager(user)
    if not StandardEdition.objects.visible_to(user).filter(pk=edition.pk).exists():
        raise PermissionDenied("无权查看该标准版本。")
    if edition.stored_status() != StandardEdition.Status.PUBLISHED:
        raise Conflict("只能复制已发布的标准版本。")
    # Lock the city's editions of this code, so that two copies never get the same version.
    list(StandardEdition.objects.select_for_update().filter(tenant_id=user.tenant_id, code=edition.code))
    copy = StandardEdition.objects.create(
        tenant_id=user.tenant_id,
        code=edition.code,
        name=edition.name,
        version=StandardEdition.objects.next_version(user.tenant_id, edition.code),
        applies_to=edition.applies_to,
        status=StandardEdition.Status.DRAFT,
        based_on=edition,
        levels=list(edition.levels),
        min_scores=dict(edition.min_scores),
        bonus_cap=edition.bonus_cap,
        created_by=user,
    )
    Indicator.objects.bulk_create(
        Indicator(
            edition=copy,
            code=indicator.code,
            category=indicator.category,
            requirement=indicator.requirement,
            check_kind=indicator.check_kind,
            level=indicator.level,
            section=list(indicator.section),
            points=indicator.points,
            method=indicator.method,
            scoring=indicator.scoring,
            scoring_params=indicator.scoring_params,
            veto=list(indicator.veto),
            bonus=indicator.bonus,
            order=indicator.order,
            measure=indicator.measure,
            params=indicator.params,
            operator=indicator.operator,
            threshold=indicator.threshold,
            advice=indicator.advice,
        )
        for indicator in edition.indicators.order_by("order", "pk")
    )
    return copy


@transaction.atomic
def update_edition(edition: StandardEdition, user, **changes) -> StandardEdition:
    """Change a draft's name, code, level minimum scores or bonus cap; a new code takes that code's next
    version."""
    _require_manager(user, edition)
    _require_draft(edition)
    old_code = StandardEdition.objects.filter(pk=edition.pk).values_list("code", flat=True).first()
    for name, value in changes.items():
        if name not in EDITABLE_EDITION_FIELDS:
            raise ValueError(f"not editable: {name}")
        setattr(edition, name, value)
    if edition.code != old_code:
        edition.version = StandardEdition.objects.next_version(edition.tenant_id, edition.code)
    edition.full_clean()
    edition.save()
    return edition


@transaction.atomic
def update_indicator(indicator: Indicator, user, **changes) -> Indicator:
    """Change a draft indicator's place on the sheet, points, scoring rule, vetoes, threshold, level,
    parameters, operator or advice."""
    _require_manager(user, indicator.edition)
    _require_draft(indicator.edition)
    for name, value in changes.items():
        if name not in EDITABLE_INDICATOR_FIELDS:
            raise ValueError(f"not editable: {name}")
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def add_indicator(edition: StandardEdition, user, **fields) -> Indicator:
    """A city's own auto indicator, without code: a known measure, an operator and a threshold
    (a number, or a measure times a factor), validated like every other indicator."""
    _require_manager(user, edition)
    _require_draft(edition)
    unknown = set(fields) - set(NEW_INDICATOR_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    last = edition.indicators.order_by("-order").values_list("order", flat=True).first()
    indicator = Indicator(
        edition=edition, check_kind=Indicator.Check.AUTO, order=(last or 0) + 1, **{"params": {}, **fields}
    )
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def remove_indicator(indicator: Indicator, user) -> None:
    _require_manager(user, indicator.edition)
    _require_draft(indicator.edition)
    indicator.delete()


@transaction.atomic
def delete_draft(edition: StandardEdition, user) -> None:
    _require_manager(user, edition)
    _require_draft(edition)
    edition.delete()


@transaction.atomic
def publish(edition: StandardEdition, user) -> StandardEdition:
    """Publish a draft: the edition (its level minimum scores, rising) and every indicator (points,
    rule, band table, veto levels of this edition) are validated again, and a sheet whose full marks
    add up to nothing (every item a bonus or worth 0) is refused, as no score could be scaled from it;
    from now on nothing in it changes."""
    _require_manager(user, edition)
    locked = StandardEdition.objects.select_for_update().get(pk=edition.pk)
    _require_draft(locked)
    locked.full_clean()
    indicators = list(locked.indicators.all())
    if not indicators:
        raise ValidationError("没有任何指标的标准版本不能发布。")
    for indicator in indicators:
        indicator.full_clean()
    if not sum(indicator.points for indicator in indicators if not indicator.bonus):
        raise ValidationError("评分表的满分合计(加分项除外)须大于0,否则无法折算得分。")
    locked.status = StandardEdition.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = user
    locked.save()
    edition.status, edition.published_at, edition.published_by = locked.status, locked.published_at, user
    return locked


COMPARED_FIELDS = {
    "category": "类别",
    "requirement": "要求",
    "check_kind": "判定方式",
    "level": "适用等级",
    "section": "所属栏目",
    "points": "分值",
    "method": "考评方法",
    "scoring": "计分规则",
    "scoring_params": "计分参数",
    "veto": "一票否决",
    "bonus": "加分项",
    "measure": "测量项",
    "params": "测量参数",
    "operator": "比较方式",
    "threshold": "阈值",
    "advice": "未达标提示",
}


def changes_since_source(edition: StandardEdition) -> list[tuple[str, str]]:
    """What a draft changes against the edition it was copied from, as (indicator code, description),
    shown before publishing."""
    if edition.based_on_id is None:
        return []
    before = {row.code: row for row in edition.based_on.indicators.all()}
    after = {row.code: row for row in edition.indicators.order_by("order", "pk")}
    changes = []
    for code, row in after.items():
        old = before.get(code)
        if old is None:
            changes.append((code, f"新增:{row.requirement[:40]}"))
            continue
        changed = [
            label for name, label in COMPARED_FIELDS.items() if getattr(old, name) != getattr(row, name)
        ]
        if changed:
            details = "、".join(changed)
            if old.threshold != row.threshold:
                details += f"(阈值:{old.readable_threshold} → {row.readable_threshold})"
            changes.append((code, f"修改了{details}"))
    changes += [(code, "删除") for code in before if code not in after]
    for name, label in (
        ("name", "标准名称"),
        ("code", "标准代码"),
        ("min_scores", "各等级最低得分"),
        ("bonus_cap", "加分上限"),
    ):
        if getattr(edition.based_on, name) != getattr(edition, name):
            changes.insert(0, ("—", f"{label}:{getattr(edition.based_on, name)} → {getattr(edition, name)}"))
    return changes
