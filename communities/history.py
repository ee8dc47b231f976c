"""Reading the change history that django-simple-history keeps for communities and their records."""

from dataclasses import dataclass
from datetime import datetime

from core import privacy
from core.fields import ChoiceListField

from . import records
from .models import Community

ACTIONS = {"+": "新增", "~": "修改", "-": "删除"}


@dataclass
class Entry:
    at: datetime
    user: str
    action: str
    record: str  # the record type's title
    slug: str  # "" for the community itself
    object_id: int
    object: str
    changes: list[tuple[str, str, str]]  # (field label, old, new)


def community_history(community: Community, user, limit: int = 500) -> list[Entry]:
    """Every change to a community and to each of its records, newest first, as `user` may read it."""
    reveal = privacy.sees_personal_data(user, community)
    sources = [("", "社区基本信息", Community.history.filter(id=community.pk))]
    sources += [
        (rt.slug, rt.title, rt.model.history.filter(community_id=community.pk)) for rt in records.all_types()
    ]
    entries = []
    for slug, title, rows in sources:
        entries += describe(
            rows.select_related("history_user").order_by("-history_date")[:limit],
            slug,
            title,
            reveal_personal=reveal,
        )
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:limit]


def record_history(obj, user) -> list[Entry]:
    record_type = records.for_model(type(obj))
    rows = obj.history.select_related("history_user").order_by("-history_date")
    return describe(
        rows,
        record_type.slug if record_type else "",
        record_type.title if record_type else "社区基本信息",
        reveal_personal=privacy.sees_personal_data(user, obj),
    )


def describe(rows, slug: str, title: str, *, reveal_personal: bool) -> list[Entry]:
    """Entries of history `rows` (all of one subject); personal values, old and new, are masked
    unless `reveal_personal` (core.privacy.sees_personal_data on the subject)."""
    rows = list(rows)
    # Pair each version with the one before it from the rows already read; only the oldest read
    # version of an object that was not created in this window needs one more query.
    by_object: dict[int, list] = {}
    for row in sorted(rows, key=lambda r: (r.id, r.history_date)):
        by_object.setdefault(row.id, []).append(row)
    entries = []
    for versions in by_object.values():
        for index, row in enumerate(versions):
            previous = (
                versions[index - 1] if index else (row.prev_record if row.history_type != "+" else None)
            )
            entries.append(
                Entry(
                    at=row.history_date,
                    user=str(row.history_user) if row.history_user else "系统",
                    action=ACTIONS[row.history_type],
                    record=title,
                    slug=slug,
                    object_id=row.id,
                    object=str(row.instance) if row.history_type != "-" else f"#{row.id}",
                    changes=_changes(row, previous, reveal_personal),
                )
            )
    return entries


def _changes(row, previous, reveal_personal: bool) -> list[tuple[str, str, str]]:
    if previous is None or row.history_type == "-":
        return []
    model = row.instance_type
    masks = {} if reveal_personal else privacy.personal_fields(model)
    delta = row.diff_against(previous)
    out = []
    for change in delta.changes:
        field = model._meta.get_field(change.field)
        old, new = change.old, change.new
        if change.field in masks:
            mask = masks[change.field]
            old, new = (mask(value) if value else value for value in (old, new))
        out.append((str(field.verbose_name), _text(field, old), _text(field, new)))
    return out


def _text(field, value) -> str:
    if isinstance(field, ChoiceListField):
        return "、".join(field.labels(value)) or "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if value in (None, ""):
        return "—"
    return str(value)
