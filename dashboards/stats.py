"""Programme figures for the dashboards and the `stats/` API (docs/api.md, programme figures): a unit's overview for a year,
the same figures per child unit (city → districts → towns) or per community of a town, and a trend
over the years.

Everything is read from the caller's scope (`visible_to`) narrowed to a unit's subtree. The
figures are counted per town by the database (grouped queries, JSON columns read by
`expressions`), then added up per child unit or for the whole unit, so the number of queries is
fixed whatever the number of communities. Any change to what they count (a community's kind,
subtype, town or name, a self-check's status or results as the figures read them, a designation, an
enrolment, a fund, a recognition) moves the cache generation of the units on its path, so a cached
answer never outlives the data it was computed from, and a change that moves no figure (a phone
number, an activity that changes no result the figures read) leaves the answers cached.

Two things are cached, both under the generation: each town's counts for a year (shared by every
caller, since a town is always counted whole), and each answer per unit and year (shared by the
callers of one unit). A change in one town recounts that town only; a district's or the city's
answer then adds up its towns' counts, most of them cached already. `count_ahead` (the
`count_figures` command) counts every town before anyone asks.
"""

import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, Sum

from assessments import unit_figures
from assessments.expressions import FailedHas, failed_counts, points_lost
from assessments.models import SelfCheck
from communities.models import Community, TownRecognition, VillageRecognition
from core.models import Unit, User
from core.roles import Tier
from designations.models import Designation, Enrolment
from funding.models import WorkFund
from standards import sheet
from standards.models import Indicator, Level

GENERATION_KEY = "stats:generation:{}"
EVERYTHING = "all"  # moved by a change of unknown place: ends every answer
ROOT = "root"  # moved by every located change: the answers over a whole scope (no unit)
LEVELS = [SelfCheck.NO_LEVEL, *Level.values]
TREND_YEARS = 5
# docs/standards.md, R's programme targets (the township document speaks of "我镇"): at least 2–3 中心村
# communities built a year, and within three years at least 3 示范, 2 规范化 and 1 精品 ones.
RURAL_NEW_PER_TOWN = 2
THREE_TWO_ONE = {Level.MODEL.value: 3, Level.STANDARDIZED.value: 2, Level.PREMIUM.value: 1}
THREE_TWO_ONE_YEARS = 3
# V's target: within two years 85% of villages recognised "五个好"; every township "六个好".
FIVE_GOOD_TARGET = 85.0
SIX_GOOD_TARGET = 100.0
# The score distribution's bands (docs/scoring.md, "The gap list and the figures"): (label, from, below).
SCORE_BANDS = [("0-59", 0, 60), ("60-69", 60, 70), ("70-79", 70, 80), ("80-89", 80, 90), ("90-100", 90, None)]
# In the keys of the cached counts and answers: a deploy that changes their shape never reads the
# shape an older process left in the cache.
SHAPE = 2


def _bump(scope) -> None:
    key = GENERATION_KEY.format(scope)
    # A missing key (never set, or evicted) starts from the clock, never from a number an answer
    # still in the cache could carry.
    cache.add(key, time.time_ns(), timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between the two calls
        cache.set(key, time.time_ns(), timeout=None)


def generations(units) -> dict[int | None, str]:
    """{unit id: `generation(unit)`} (None for the whole scope), read in one round trip."""
    scopes = {unit.pk if unit else None: ROOT if unit is None else f"unit-{unit.pk}" for unit in units}
    keys = [GENERATION_KEY.format(scope) for scope in (EVERYTHING, *scopes.values())]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key)
    everything = found[keys[0]]
    return {pk: f"{everything}-{found[GENERATION_KEY.format(scope)]}" for pk, scope in scopes.items()}


def generation(unit) -> str:
    """The cache generation of a unit's figures: moved by every change in its subtree and by every
    change whose place is unknown. Without a unit (the whole scope), moved by every change."""
    return generations([unit])[unit.pk if unit else None]


def invalidate_paths(paths) -> None:
    """`invalidate` for the units on the given units' paths ("1/4/17/": the town 17, its district
    and its city)."""
    units = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    invalidate(sorted(units) or None)


def invalidate(unit_ids=None) -> None:
    """Ends the cached figures of the units on the path of a change (its town, district and city):
    a change in one town leaves the figures of the others, and of other cities, cached. Without
    units, ends every cached figure (a bulk change, a unit moved, a place not found)."""
    if unit_ids is None:
        _bump(EVERYTHING)
        return
    for scope in [ROOT, *(f"unit-{unit_id}" for unit_id in unit_ids)]:
        _bump(scope)


def viewer(user) -> str:
    """Whose rows an answer counts. The figures are a unit's, read within the caller's visible rows:
    for a unit in the caller's scope those are all of the unit's rows (a named grant adds rows of
    communities outside it, which the unit's figures leave out), so every caller of one unit shares
    the answer: its reviewers, its dashboards and its API clients."""
    return "all" if user.is_superuser else f"{user.tenant_id}-{user.unit_id}"


def _cached(kind: str, user, year: int, unit, compute, figures_=None):
    """`compute(Figures)` for the caller's rows, unit and year, cached under the current generation."""
    key = f"stats:{SHAPE}:{kind}:{generation(unit)}:{viewer(user)}:{unit.pk if unit else 'all'}:{year}"
    found = cache.get(key)
    if found is None:
        found = compute(figures_ or Figures(user, year, unit))
        cache.set(key, found, timeout=settings.STATS_CACHE_SECONDS)
    return found


def overview(user, year: int, unit=None) -> dict:
    """The figures of a unit (the caller's own by default) for a year; cached per unit."""
    return _cached("overview", user, year, unit or user.unit, Figures.overview)


def units(user, year: int, unit=None) -> dict:
    """The same figures per child unit (districts of a city, towns of a district); cached per unit."""
    return _cached("units", user, year, unit or user.unit, Figures.units)


def communities(user, year: int, unit) -> dict:
    """One row per community of a town; cached per unit."""
    return _cached("communities", user, year, unit, Figures.communities_rows)


def trend(user, year: int, unit=None) -> dict:
    """The headline figures of the `TREND_YEARS` years up to `year`; cached per unit."""
    return _cached("trend", user, year, unit or user.unit, Figures.trend)


def dashboard(user, year: int, unit=None) -> dict:
    """Everything a dashboard page shows, from one set of grouped queries: the overview, the rows of
    the level below (units, or a town's communities) and the trend. Each part is cached as the
    `stats/` endpoint that answers it, so the page's charts read them back without recounting."""
    unit = unit or user.unit
    figures_ = Figures(user, year, unit)
    below = "communities" if unit is not None and unit.tier == Tier.TOWN else "units"
    below_compute = Figures.communities_rows if below == "communities" else Figures.units
    return {
        "overview": _cached("overview", user, year, unit, Figures.overview, figures_),
        below: _cached(below, user, year, unit, below_compute, figures_),
        "trend": _cached("trend", user, year, unit, Figures.trend, figures_),
    }


def count_ahead(unit, year: int) -> int:
    """Counts each town's figures under `unit` for `year` (and for the trend up to it) before anyone
    asks, so that the first caller only adds them up: after a deploy or an emptied cache
    (`manage.py count_figures`). Returns the towns counted.

    The counts are each town's whole, the same for every caller that shares them, so they are taken
    with the unit's whole rows (an unsaved superuser, nobody's scope or grants), narrowed to `unit`."""
    whole = Figures(User(is_active=True, is_superuser=True), year, unit)
    towns, _ = whole.towns, whole.trend_towns  # each counted and cached on its own
    return len(towns)


def count_if_band(low: int, below: int | None):
    """Self-checks whose score lies in the band [low, below) (no upper bound: up to 100)."""
    condition = Q(score__gte=low) if below is None else Q(score__gte=low, score__lt=below)
    return unit_figures.count_if(condition)


def _bands(counts: Counter) -> dict[str, int]:
    """{band label: self-checks} from towns' counts added up."""
    return {label: counts[("band", label)] for label, _low, _below in SCORE_BANDS}


def _money(due, paid, **more) -> dict:
    """Work funds as decimal strings in yuan (docs/api.md), with the share of the due that was paid."""
    return {
        "due": _yuan(due),
        "paid": _yuan(paid),
        **{key: _yuan(value) for key, value in more.items()},
        "paid_percent": unit_figures.percent(paid or 0, due or 0),
    }


def _yuan(value) -> str:
    """Money as a decimal string in yuan (docs/api.md), the same on every database."""
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


@dataclass
class Town:
    """One town's counts for a year; added up per child unit and for the whole unit."""

    counts: Counter
    sums: Counter
    editions: Counter  # {(community kind, edition id): self-checks}
    failed: Counter  # {(edition id, level reached, failed indicator code): self-checks}
    lost: Counter  # {(edition id, indicator code): points lost by its judged results below full marks}
    unscored: Counter  # {(edition id, indicator code): failed results stored before items had points}

    @classmethod
    def empty(cls):
        return cls(Counter(), Counter(), Counter(), Counter(), Counter(), Counter())


class Figures:
    def __init__(self, user, year: int, unit):
        self.user, self.year, self.unit = user, year, unit

    # ---- the scoped querysets, narrowed to the unit's subtree -------------------------------------

    def _under(self, queryset, path_field: str):
        if self.unit is None:
            return queryset
        return queryset.filter(**{f"{path_field}__startswith": self.unit.path})

    @cached_property
    def communities(self):
        return self._under(Community.objects.visible_to(self.user), "unit__path")

    @cached_property
    def all_checks(self):
        return self._under(SelfCheck.objects.visible_to(self.user), "community__unit__path")

    @cached_property
    def checks(self):
        return self.all_checks.filter(year=self.year)

    @cached_property
    def titles(self):
        """Designations in force or expired, never revoked: those a community holds or held."""
        return self._under(Designation.objects.visible_to(self.user), "scope_unit__path").filter(
            revoked=False
        )

    @cached_property
    def funds(self):
        return self._under(WorkFund.objects.visible_to(self.user), "community__unit__path")

    @cached_property
    def enrolments(self):
        return self._under(Enrolment.objects.visible_to(self.user), "community__unit__path")

    @cached_property
    def recognised_villages(self):
        return self._under(VillageRecognition.objects.visible_to(self.user), "community__unit__path").filter(
            recognised=True, confirmed_by_district=True
        )

    @cached_property
    def recognised_towns(self):
        return self._under(TownRecognition.objects.visible_to(self.user), "unit__path").filter(
            recognised=True, confirmed_by_district=True
        )

    # ---- per town ---------------------------------------------------------------------------------

    @cached_property
    def towns(self) -> dict[int, Town]:
        """{town id: its counts for the year}."""
        return self._per_town("town", self._count)

    @cached_property
    def trend_towns(self) -> dict[int, Counter]:
        """{town id: its counts for each year of the trend}."""
        return self._per_town("trend", self._count_trend)

    def _per_town(self, kind: str, count) -> dict:
        """`count(town ids)` for each of the unit's towns, each cached on its own under the town's
        generation. A town lies in the unit, and so in the caller's scope: it is counted whole, the
        same for every caller, who share it. A change in one town recounts that town only, and a
        district's or the city's figures add up the towns already counted, by whoever asked first."""
        keys = {
            pk: f"stats:{SHAPE}:{kind}:{gen}:{pk}:{self.year}" for pk, gen in self._town_generations.items()
        }
        cached = cache.get_many(keys.values())
        towns = {pk: cached[key] for pk, key in keys.items() if key in cached}
        missing = [pk for pk in keys if pk not in towns]
        if missing:
            # Every town missing (a cold cache): the caller's whole scope, without naming the towns.
            counted = count(None if len(missing) == len(keys) else missing)
            fresh = {pk: counted[pk] for pk in missing}  # a town with nothing counted: its empty counts
            cache.set_many(
                {keys[pk]: town for pk, town in fresh.items()}, timeout=settings.STATS_CACHE_SECONDS
            )
            towns.update(fresh)
        return towns

    @cached_property
    def _town_generations(self) -> dict[int, str]:
        return generations(self.town_units)

    @staticmethod
    def _grouped(queryset, town_field: str, town_ids, *fields, **aggregates):
        """`queryset` (of the given towns only) counted per town and `fields`: rows with "town"."""
        if town_ids is not None:
            queryset = queryset.filter(**{f"{town_field}__in": town_ids})
        aggregates = aggregates or {"n": Count("pk")}
        return queryset.values(*fields, town=F(town_field)).annotate(**aggregates).order_by()

    def _count(self, town_ids=None) -> dict[int, Town]:
        """{town id: its counts for the year} over the caller's rows (of the given towns only), from a
        fixed number of grouped queries."""
        towns: dict[int, Town] = defaultdict(Town.empty)

        def add(rows, key):
            for row in rows:
                towns[row["town"]].counts[key(row)] += row["n"]

        def grouped(queryset, town_field, *fields, **aggregates):
            return self._grouped(queryset, town_field, town_ids, *fields, **aggregates)

        rural_new = Q(kind=Community.Kind.RURAL, established_on__year=self.year)
        for row in grouped(
            self.communities,
            "unit_id",
            "kind",
            "subtype",
            n=Count("pk"),
            new=unit_figures.count_if(rural_new),
        ):
            towns[row["town"]].counts.update(
                {
                    ("kind", row["kind"]): row["n"],
                    ("subtype", row["subtype"]): row["n"],
                    "rural_new": row["new"],
                }
            )
        for row in grouped(
            self.checks,
            "community__unit_id",
            "status",
            "level",
            "proposed_level",
            "edition_id",
            "community__kind",
        ):
            town = towns[row["town"]]
            town.editions[(row["community__kind"], row["edition_id"])] += row["n"]
            town.counts.update(
                {
                    ("status", row["status"]): row["n"],
                    ("level", row["level"]): row["n"],
                    ("proposed_level", row["proposed_level"]): row["n"],
                }
            )
        add(grouped(self.enrolments.filter(year=self.year), "community__unit_id"), lambda r: "enrolled")
        # A community's title is placed by the unit it was issued in (`scope_unit`, its town), which
        # is also what its visibility reads.
        this_year = self.titles.filter(year=self.year, community__isnull=False)
        add(grouped(this_year, "scope_unit_id", "title"), lambda r: ("title", r["title"]))
        window = self.titles.filter(
            community__isnull=False,
            community__kind=Community.Kind.RURAL,
            year__gt=self.year - THREE_TWO_ONE_YEARS,
            year__lte=self.year,
            title__in=list(THREE_TWO_ONE),
        )
        add(grouped(window, "scope_unit_id", "title"), lambda r: ("321", r["title"]))
        add(grouped(self.recognised_villages.filter(year=self.year), "community__unit_id"), lambda r: "5good")
        add(grouped(self.recognised_towns.filter(year=self.year), "unit_id"), lambda r: "6good")

        bands = {f"band{low}": count_if_band(low, below) for _label, low, below in SCORE_BANDS}
        for row in grouped(self.checks, "community__unit_id", **unit_figures.aggregates(), **bands):
            towns[row["town"]].sums.update(unit_figures.additive(row))
            towns[row["town"]].counts.update(
                {("band", label): row[f"band{low}"] or 0 for label, low, _below in SCORE_BANDS}
            )
        money = grouped(
            self.funds.filter(year=self.year),
            "community__unit_id",
            due=Sum("due"),
            paid=Sum("paid"),
            district_share=Sum("district_share"),
        )
        for row in money:
            towns[row["town"]].sums.update(
                {key: Decimal(row[key] or 0) for key in ("due", "paid", "district_share")}
            )
        checks = self.checks if town_ids is None else self.checks.filter(community__unit_id__in=town_ids)
        for town, edition_id, level, code, count in failed_counts(checks):
            towns[town].failed[(edition_id, level, code)] += count
        for town, edition_id, code, lost, unscored in points_lost(checks):
            towns[town].lost[(edition_id, code)] += sheet.number(lost or 0)
            towns[town].unscored[(edition_id, code)] += unscored
        return towns

    def _count_trend(self, town_ids=None) -> dict[int, Counter]:
        """{town id: its headline counts for each year of the trend} over the caller's rows (of the
        given towns only), keyed (figure, year, ...), from a fixed number of grouped queries."""
        towns: dict[int, Counter] = defaultdict(Counter)
        window = {"year__gte": self.year - TREND_YEARS + 1, "year__lte": self.year}

        def per_year(queryset, town_field, *fields, **aggregates):
            return self._grouped(
                queryset.filter(**window), town_field, town_ids, "year", *fields, **aggregates
            )

        for row in per_year(self.all_checks, "community__unit_id", "status"):
            towns[row["town"]][("status", row["year"], row["status"])] += row["n"]
        # Titles held by a district or the city belong to no town: `trend` counts them itself.
        for row in per_year(self.titles.filter(scope_unit__tier=Tier.TOWN), "scope_unit_id", "title"):
            towns[row["town"]][("title", row["year"], row["title"])] += row["n"]
        for row in per_year(self.enrolments, "community__unit_id"):
            towns[row["town"]][("enrolled", row["year"])] += row["n"]
        for row in per_year(self.recognised_villages, "community__unit_id"):
            towns[row["town"]][("5good", row["year"])] += row["n"]
        urban = self.all_checks.filter(community__kind=Community.Kind.URBAN)
        for row in per_year(
            urban, "community__unit_id", n=Count("pk"), failed=unit_figures.count_if(FailedHas("U-ELECT"))
        ):
            towns[row["town"]].update(
                {("urban", row["year"]): row["n"], ("elect_failed", row["year"]): row["failed"]}
            )
        for row in per_year(self.funds, "community__unit_id", due=Sum("due"), paid=Sum("paid")):
            towns[row["town"]].update({(key, row["year"]): Decimal(row[key] or 0) for key in ("due", "paid")})
        # Communities by the year they were founded, for those standing at each year's end.
        for row in self._grouped(self.communities, "unit_id", town_ids, "established_on__year", "kind"):
            towns[row["town"]][("founded", row["established_on__year"], row["kind"])] += row["n"]
        return towns

    def _added(self, field: str) -> Counter:
        """One of the towns' counters added up over every town counted."""
        total = Counter()
        for town in self.towns.values():
            total.update(getattr(town, field))
        return total

    @cached_property
    def thresholds(self) -> dict[str, float | None]:
        villages = sorted(
            {edition for kind, edition in self._added("editions") if kind == Community.Kind.VILLAGE}
        )
        return {code: unit_figures.edition_target(villages, code) for code in ("V-CROSS", "V-ONE")}

    @cached_property
    def town_units(self) -> list[Unit]:
        units = Unit.objects.within_scope(self.user).filter(tier=Tier.TOWN)
        return list(units.filter(path__startswith=self.unit.path) if self.unit else units)

    def summary(self, town_ids) -> dict:
        """The figures of some towns added up, and how many of them meet each town-level target."""
        counts, sums, met = Counter(), Counter(), Counter()
        for pk in town_ids:
            town = self.towns.get(pk)
            if town is not None:
                counts.update(town.counts)
                sums.update(town.sums)
                met.update(self._town_meets(town))
        by_kind = {kind: counts[("kind", kind)] for kind in Community.Kind.values}
        communities = sum(by_kind.values())
        programme = {row["code"]: row for row in unit_figures.programme_rows(sums, self.thresholds)}
        programme["V-CROSS"].update(towns=met["cross_towns"], towns_meeting=met["cross_met"])
        programme["V-ONE"].update(towns=met["one_towns"], towns_meeting=met["one_met"])
        enrolled = counts["enrolled"]
        return {
            "score_bands": _bands(counts),
            "communities": {
                "total": communities,
                "by_kind": by_kind,
                "by_subtype": {value: counts[("subtype", value)] for value in Community.Subtype.values},
            },
            "self_checks": {
                "total": sum(counts[("status", status)] for status in SelfCheck.Status.values),
                "by_status": {status: counts[("status", status)] for status in SelfCheck.Status.values},
                "by_level": {level: counts[("level", level)] for level in LEVELS},
                "by_proposed_level": {level: counts[("proposed_level", level)] for level in LEVELS},
            },
            "titles": {title: counts[("title", title)] for title in Designation.Title.values},
            "work_funds": _money(sums["due"], sums["paid"], district_share=sums["district_share"]),
            "targets": [
                unit_figures.target_row(
                    "ENROL",
                    "列入本年度创建活动的社区",
                    unit_figures.percent(enrolled, communities),
                    communities,
                    float(unit_figures.ENROLMENT_TARGET * 100),
                    enrolled=enrolled,
                ),
                *programme.values(),
                unit_figures.target_row(
                    "V-5GOOD",
                    "达到“五个好”标准的村(区县已确认)",
                    unit_figures.percent(counts["5good"], by_kind[Community.Kind.VILLAGE]),
                    by_kind[Community.Kind.VILLAGE],
                    FIVE_GOOD_TARGET,
                    count=counts["5good"],
                ),
                unit_figures.target_row(
                    "T-6GOOD",
                    "达到“六个好”标准的乡镇(区县已确认)",
                    unit_figures.percent(met["six_good"], met["village_towns"]),
                    met["village_towns"],
                    SIX_GOOD_TARGET,
                    count=met["six_good"],
                ),
                unit_figures.target_row(
                    "R-NEW",
                    f"本年新建中心村社区达到每乡镇{RURAL_NEW_PER_TOWN}个的乡镇",
                    unit_figures.percent(met["rural_new_met"], met["rural_towns"]),
                    met["rural_towns"],
                    100.0,
                    count=counts["rural_new"],
                    towns=met["rural_towns"],
                    towns_meeting=met["rural_new_met"],
                ),
                unit_figures.target_row(
                    "R-321",
                    "完成“三二一”工程(三年内3个示范、2个规范化、1个精品中心村社区)的乡镇",
                    unit_figures.percent(met["three_two_one_met"], met["rural_towns"]),
                    met["rural_towns"],
                    100.0,
                    counts={title: counts[("321", title)] for title in THREE_TWO_ONE},
                    window=[self.year - THREE_TWO_ONE_YEARS + 1, self.year],
                    towns=met["rural_towns"],
                    towns_meeting=met["three_two_one_met"],
                ),
            ],
        }

    def _bands_of(self, town_ids) -> dict[str, int]:
        counts = Counter()
        for pk in town_ids:
            if pk in self.towns:
                counts.update(self.towns[pk].counts)
        return _bands(counts)

    def _town_meets(self, town: Town) -> Counter:
        """Which town-level targets one town is counted for (`*_towns`) and meets (`*_met`)."""
        counts, sums = town.counts, town.sums
        found = Counter()
        if counts[("kind", Community.Kind.RURAL)] or counts[("kind", Community.Kind.VILLAGE)]:
            found["rural_towns"] = 1
            found["rural_new_met"] = int(counts["rural_new"] >= RURAL_NEW_PER_TOWN)
            found["three_two_one_met"] = int(all(counts[("321", t)] >= n for t, n in THREE_TWO_ONE.items()))
        if counts[("kind", Community.Kind.VILLAGE)]:
            found["village_towns"] = 1
            found["six_good"] = int(bool(counts["6good"]))
        for code, key, whole in (("V-CROSS", "cross", "cross_n"), ("V-ONE", "one", "villages")):
            share = unit_figures.percent(sums[f"{key}_sum"], sums[whole])
            if share is not None:
                found[f"{key}_towns"] = 1
                target = self.thresholds[code]
                found[f"{key}_met"] = int(target is not None and share >= target)
        return found

    # ---- answers ----------------------------------------------------------------------------------

    def overview(self) -> dict:
        found = self.summary([town.pk for town in self.town_units])
        editions = Counter()
        for (_kind, edition), count in self._added("editions").items():
            editions[edition] += count
        counted = (editions, self._added("failed"))
        failed, checked, gaps = unit_figures.failures_and_gaps(self.checks, limit=10, counted=counted)
        distribution = [
            {"unit": child.pk, "name": child.name, "counts": self._bands_of(town_ids)}
            for child, town_ids in self._children()
        ]
        return {
            "year": self.year,
            "unit": self.unit.pk if self.unit else None,
            "communities": found["communities"],
            "self_checks": found["self_checks"],
            "designations": {"by_title": self._titles_by_title(), "by_district": self._titles_by_district()},
            "targets": found["targets"],
            "work_funds": found["work_funds"],
            "most_failed": [_failure_row(row) for row in failed],
            "commonest_gaps": [_failure_row(row) for row in gaps],
            "self_checks_counted": checked,
            "score_distribution": {
                "bands": [label for label, _low, _below in SCORE_BANDS],
                "total": found["score_bands"],
                "rows": distribution,
            },
            "points_lost_by_section": self._points_lost_by_section(editions),
        }

    def _points_lost_by_section(self, editions: Counter) -> list[dict]:
        """Per 一级 section, the points its items lost over the year's self-checks (judged results
        below full marks: points − earned; a result stored before items had points lost its item's
        full marks), and the mean over the self-checks whose edition has that section."""
        lost, unscored = self._added("lost"), self._added("unscored")
        sections: dict[str, Decimal] = defaultdict(Decimal)
        checks_of: dict[str, set[int]] = defaultdict(set)
        rows = Indicator.objects.filter(edition_id__in=list(editions)).values_list(
            "edition_id", "code", "section", "category", "points"
        )
        for edition_id, code, section, category, points in rows:
            name = section[0] if section else category
            checks_of[name].add(edition_id)
            sections[name] += lost[(edition_id, code)] + unscored[(edition_id, code)] * points
        found = []
        for name, total in sections.items():
            counted = sum(editions[edition_id] for edition_id in checks_of[name])
            found.append(
                {
                    "section": name,
                    "lost": sheet.to_json(total),
                    "self_checks": counted,
                    "average": sheet.to_json(total / counted) if counted else None,
                }
            )
        return sorted(found, key=lambda row: (-row["lost"], row["section"]))

    def _titles_by_title(self) -> dict[str, int]:
        found = dict(
            self.titles.filter(year=self.year).values_list("title").annotate(n=Count("pk")).order_by()
        )
        return {title: found.get(title, 0) for title in Designation.Title.values}

    def _titles_by_district(self) -> dict[str, dict[str, int]]:
        by_district: dict[str, Counter] = {}
        rows = self.titles.filter(year=self.year).values_list(
            "scope_unit__tier", "scope_unit__name", "scope_unit__parent__name", "title"
        )
        for tier, name, parent, title in rows.order_by():
            district = name if tier == Tier.DISTRICT else parent  # a 示范区 is held by the district itself
            by_district.setdefault(district, Counter())[title] += 1
        return {name: dict(counter) for name, counter in sorted(by_district.items())}

    @cached_property
    def _child_units(self) -> list[Unit]:
        parent = self.unit.pk if self.unit else None
        return list(Unit.objects.within_scope(self.user).filter(parent_id=parent).order_by("name"))

    def _children(self) -> list[tuple[Unit, list[int]]]:
        """The unit's child units (none for a town), each with the ids of the towns it holds."""
        depth = len(self.unit.path.strip("/").split("/")) if self.unit else 0
        towns_of: dict[int, list[int]] = defaultdict(list)
        for town in self.town_units:
            parts = town.path.strip("/").split("/")
            if len(parts) > depth:
                towns_of[int(parts[depth])].append(town.pk)
        return [(child, towns_of[child.pk]) for child in self._child_units]

    def units(self) -> dict:
        """Rows per child unit of the unit (districts of a city, towns of a district)."""
        parent = self.unit.pk if self.unit else None
        rows = []
        for child, town_ids in self._children():
            found = self.summary(town_ids)
            rows.append(
                {
                    "unit": child.pk,
                    "name": child.name,
                    "tier": child.tier,
                    "communities": found["communities"],
                    "self_checks": found["self_checks"],
                    "titles": found["titles"],
                    "targets": found["targets"],
                    "work_funds": found["work_funds"],
                }
            )
        return {"year": self.year, "unit": parent, "rows": rows}

    def communities_rows(self) -> dict:
        """One row per community of the unit (a town's few dozen)."""
        checks = {
            row["community_id"]: row
            for row in self.checks.values(
                "community_id", "pk", "status", "level", "proposed_level", "score", "failed"
            )
        }
        enrolled = set(self.enrolments.filter(year=self.year).values_list("community_id", flat=True))
        titles = dict(self.titles.filter(year=self.year).values_list("community_id", "title"))
        money = {
            row["community_id"]: row
            for row in self.funds.filter(year=self.year).values("community_id", "due", "paid")
        }
        rows = []
        for community in self.communities.order_by("name").values("pk", "name", "kind", "subtype"):
            check = checks.get(community["pk"], {})
            fund = money.get(community["pk"])
            rows.append(
                {
                    "community": community["pk"],
                    "name": community["name"],
                    "kind": community["kind"],
                    "subtype": community["subtype"],
                    "self_check": check.get("pk"),
                    "status": check.get("status"),
                    "level": check.get("level"),
                    "proposed_level": check.get("proposed_level"),
                    "score": float(check["score"]) if check.get("score") is not None else None,
                    "failed": len(check.get("failed") or []) if check else None,
                    "enrolled": community["pk"] in enrolled,
                    "title": titles.get(community["pk"]),
                    "work_funds": _money(fund["due"], fund["paid"]) if fund else None,
                }
            )
        return {"year": self.year, "unit": self.unit.pk, "rows": rows}

    def trend(self) -> dict:
        """One row per year: the headline figures, added up from the towns' counts per year."""
        years = list(range(self.year - TREND_YEARS + 1, self.year + 1))
        counts = Counter()
        for town in self.trend_towns.values():
            counts.update(town)
        above = self.titles.exclude(scope_unit__tier=Tier.TOWN).filter(
            year__gte=years[0], year__lte=self.year
        )
        for row in above.values("year", "title").annotate(n=Count("pk")).order_by():
            counts[("title", row["year"], row["title"])] += row["n"]
        founded = [(key[1], key[2], n) for key, n in counts.items() if key[0] == "founded"]
        rows = []
        for year in years:
            standing = {
                kind: sum(n for founded_in, k, n in founded if founded_in <= year and k == kind)
                for kind in Community.Kind.values
            }
            total = sum(standing.values())
            by_status = {value: counts[("status", year, value)] for value in SelfCheck.Status.values}
            urban = counts[("urban", year)]
            rows.append(
                {
                    "year": year,
                    "communities": total,
                    "self_checks": sum(by_status.values()),
                    "by_status": by_status,
                    "titles": {title: counts[("title", year, title)] for title in Designation.Title.values},
                    "enrol_percent": unit_figures.percent(counts[("enrolled", year)], total),
                    "direct_election_percent": unit_figures.percent(
                        urban - counts[("elect_failed", year)], urban
                    ),
                    "five_good_percent": unit_figures.percent(
                        counts[("5good", year)], standing[Community.Kind.VILLAGE]
                    ),
                    "work_funds": _money(counts[("due", year)], counts[("paid", year)]),
                }
            )
        return {"unit": self.unit.pk if self.unit else None, "years": years, "rows": rows}


def _failure_row(row: dict) -> dict:
    indicator = row["indicator"]
    return {
        "indicator": row["code"],
        "title": indicator.short_title if indicator else row["code"],
        "requirement": indicator.requirement if indicator else "",
        "level": indicator.level if indicator else "",
        "failures": row["failures"],
        "of": row["of"],
        "percent": row["percent"],
    }
