"""Programme figures for a unit and a year, for the dashboards and the `stats/` API (issue #6).

Everything is read from the caller's scope (`visible_to`) narrowed to a unit's subtree, with a
bounded number of queries whatever the number of communities. Answers are cached briefly; any change
to a community, a record, a self-check or a designation moves the cache's generation, so a cached
answer never outlives the data it was computed from.
"""

from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Sum

from communities.models import Community
from core.roles import Tier
from funding.models import WorkFund

from .figures import enrolment_figure, most_failed, unit_figures
from .models import Designation, Level, SelfCheck

GENERATION_KEY = "stats:generation"


def generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def invalidate() -> None:
    """Called after any change the figures depend on (see signals)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): the next read starts a fresh generation
        cache.set(GENERATION_KEY, 1, timeout=None)


def _counts(queryset, field: str, codes) -> dict[str, int]:
    found = dict(queryset.values_list(field).annotate(n=Count("pk")).order_by())
    return {code: found.get(code, 0) for code in codes}


def overview(user, year: int, unit=None) -> dict:
    """The figures of a unit (the caller's own by default) for a year; cached per scope."""
    unit = unit or user.unit
    key = f"stats:overview:{generation()}:{user.pk}:{unit.pk if unit else 'all'}:{year}"
    found = cache.get(key)
    if found is None:
        found = _overview(user, year, unit)
        cache.set(key, found, timeout=settings.STATS_CACHE_SECONDS)
    return found


def _overview(user, year: int, unit) -> dict:
    communities = Community.objects.visible_to(user)
    checks = SelfCheck.objects.visible_to(user).filter(year=year)
    titles = Designation.objects.visible_to(user).filter(year=year, revoked=False)
    funds = WorkFund.objects.visible_to(user).filter(year=year)
    if unit is not None:
        communities = communities.filter(unit__path__startswith=unit.path)
        checks = checks.filter(community__unit__path__startswith=unit.path)
        titles = titles.filter(scope_unit__path__startswith=unit.path)
        funds = funds.filter(community__unit__path__startswith=unit.path)
    levels = [SelfCheck.NO_LEVEL, *Level.values]
    by_district: dict[str, Counter] = {}
    rows = titles.values_list("scope_unit__tier", "scope_unit__name", "scope_unit__parent__name", "title")
    for tier, name, parent, title in rows.order_by():
        district = name if tier == Tier.DISTRICT else parent  # a 示范区 is held by the district itself
        by_district.setdefault(district, Counter())[title] += 1
    money = funds.aggregate(due=Sum("due"), paid=Sum("paid"), district_share=Sum("district_share"))
    failed, checked = most_failed(checks, limit=10)
    return {
        "year": year,
        "unit": unit.pk if unit else None,
        "communities": {
            "total": communities.count(),
            "by_kind": _counts(communities, "kind", Community.Kind.values),
            "by_subtype": _counts(communities, "subtype", Community.Subtype.values),
        },
        "self_checks": {
            "total": checks.count(),
            "by_status": _counts(checks, "status", SelfCheck.Status.values),
            "by_level": _counts(checks, "level", levels),
            "by_proposed_level": _counts(checks, "proposed_level", levels),
        },
        "designations": {
            "by_title": _counts(titles, "title", Designation.Title.values),
            "by_district": {name: dict(counter) for name, counter in sorted(by_district.items())},
        },
        "targets": [enrolment_figure(communities, year), *unit_figures(checks)],
        # Money as a decimal string in yuan (API.md), the same on every database.
        "work_funds": {
            name: str(Decimal(value or 0).quantize(Decimal("0.01"))) for name, value in money.items()
        },
        "most_failed": [
            {
                "indicator": row["code"],
                "failures": row["failures"],
                "of": row["of"],
                "percent": row["percent"],
            }
            for row in failed
        ],
        "self_checks_counted": checked,
    }
