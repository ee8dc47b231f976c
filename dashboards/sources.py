"""What the programme figures are counted from, for the change path (`core.changes`): which unit
paths a changed row's figures belong to, and ending them once the change commits."""

from communities.models import Community
from core.models import Unit

from . import stats

# The records the figures count themselves (the other records reach the figures through their
# self-checks' results, whose re-evaluation ends them when the results the figures read move).
# Units, communities, self-checks, their events, designations, enrolments and towns' recognitions
# tell the change path themselves.
RECORDS = ("communities.VillageRecognition", "funding.WorkFund")


def end(paths: set[str] | None) -> None:
    """Ends the cached figures of the units at these paths and above (all of them for None)."""
    if paths is None:
        stats.invalidate()
    else:
        stats.invalidate_paths(paths)


def paths(instance=None, community_ids=None) -> list[str] | None:
    """The unit paths of the change's town (or district), None when they cannot be told (a moved or
    renamed unit, a bulk change without ids, a row whose community is gone)."""
    if instance is None and community_ids is None:
        return None
    if isinstance(instance, Unit):
        return None  # a renamed or moved unit: its old ancestors are not known any more
    if community_ids is not None:
        found = Community.objects.filter(pk__in=community_ids).values_list("unit__path", flat=True)
    else:
        unit_id = getattr(instance, "scope_unit_id", None) or getattr(instance, "unit_id", None)
        if unit_id is not None:
            found = Unit.objects.filter(pk=unit_id).values_list("path", flat=True)
        else:
            community_id = getattr(instance, "community_id", None)
            if community_id is None and getattr(instance, "self_check_id", None):
                community_id = instance.self_check.community_id
            found = Community.objects.filter(pk=community_id).values_list("unit__path", flat=True)
    return list(found.distinct()) or None
