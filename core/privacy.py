"""Personal data: which fields hold it, who sees it whole, and how it is masked.

docs/api.md: personal data (phone, ID number) is shown to town_clerk, district_reviewer and city_officer
and masked for api_reader. Those three roles file and review the records, and phoning a committee
member or a building leader is part of that work (a review, a site visit); a read-only data user
(statistics office, big-screen dashboard) needs to count people, never to reach them. The role table
says this once: `Action.SEE_PERSONAL_DATA`.

"Only in scope": a role that sees personal data sees it whole only on objects inside its own role
scope. An object read through a read grant beyond that scope (a guardian `view_community` given to
an inspector) shows it masked, like a read-only role does.

A model declares its personal fields where the data is held, as `personal_fields = {name: mask}`
(Member.phone, BuildingLeader.phone, User.phone). Every way a value leaves the portal applies the
rule below: the API (core.api.serializers.ScopedModelSerializer and core.api.filters), Excel exports
(core.exports), record pages and change history (communities.records, communities.history).

Masks: a phone keeps its first 3 and last 4 characters ("13812345678" → "138****5678"), so that
a reader can still tell numbers apart and recognise one already known, but cannot dial one. No
model holds an ID number (身份证号) yet; one that does declares its mask here too.
"""

from .roles import Action
from .scope import may

# A value shorter than this would keep (almost) nothing hidden with 3 + 4 characters shown.
PHONE_SHOWN_MIN_LENGTH = 8


def mask_phone(value: str) -> str:
    value = str(value)
    if len(value) < PHONE_SHOWN_MIN_LENGTH:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def personal_fields(model) -> dict:
    """{field name: mask} of the personal fields `model` declares."""
    return getattr(model, "personal_fields", {})


def sees_personal_data(user, obj=None) -> bool:
    """Whether `user` sees personal data whole: at all (no `obj`), or on `obj`, an object already
    found through `visible_to`, which must then also lie inside the user's role scope."""
    if not getattr(user, "is_authenticated", False) or not may(user, Action.SEE_PERSONAL_DATA):
        return False
    if obj is None or user.is_superuser:
        return True
    unit = _unit_of(obj)
    return unit is not None and user.unit_id is not None and unit.is_within(user.unit)


def _unit_of(obj):
    # The path its queryset scopes by (`unit_field`, e.g. "community__unit"), followed in Python:
    # lists, exports and detail pages read their rows with that path select_related, so deciding
    # per row costs no query, where `may(user, action, obj)` would cost one per row.
    for name in type(obj)._default_manager.get_queryset().unit_field.split("__"):
        obj = getattr(obj, name)
        if obj is None:
            return None
    return obj


def redact(user, obj) -> int:
    """Mask, on this instance, each personal value `user` may not see whole.

    Only for instances read to be shown or written to a file, never saved: the page or export then
    prints whatever the instance holds (display rules, `__str__`, column functions) without having
    to know which fields are personal. Returns how many personal values stay whole on it (the
    export log counts the rows that carry personal data).
    """
    fields = personal_fields(type(obj))
    if not fields:
        return 0
    if sees_personal_data(user, obj):
        return sum(1 for name in fields if getattr(obj, name))
    for name, mask in fields.items():
        value = getattr(obj, name)
        if value:
            setattr(obj, name, mask(value))
    return 0


def may_receive_file(user, job) -> bool:
    """Tiers above a job's owner may fetch its file (the Job scope). A file that holds personal data
    whole goes only to its owner and to users who see personal data whole themselves: an api_reader
    above a town must not get through a clerk's export what it sees masked everywhere else."""
    if job.owner_id == user.pk or sees_personal_data(user):
        return True
    return not type(job).objects.filter(pk=job.pk, export_log__personal_rows__gt=0).exists()
