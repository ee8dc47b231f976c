"""The measure registry: named, batched computations over the records of many communities at once.

Each records app declares its measures in its own `measures.py` (imported by its AppConfig.ready), so
that `assessments` can judge any indicator that names a measure without the records apps knowing
about standards, and without a query per community:

    @measures.register("station_area_m2", "服务站(中心)建筑面积", unit="平方米",
                       params={"kind": "设施类别"})
    def station_area_m2(batch, kind="service_station", with_yard_or_square=False):
        ...  # a constant number of queries over batch.ids
        return {community_id: value, ...}

A measure is called with a `Batch` (the communities of one evaluation chunk and the year) and the
indicator's parameters as keyword arguments, and returns one value per community id of the batch:

- a number: an int, a Decimal, or an exact `Fraction` for shares (1/0 for yes/no measures);
- a list of codes (for `kind=LIST` measures, compared with "包含全部");
- `None`: no data (the indicator fails and says which record is missing);
- `NOT_APPLICABLE`: the rule does not apply to this community (the indicator passes as "不适用").

A community missing from the returned dict counts as `None`.

A measure's parameters are named in `params` (name → Chinese label); their defaults, and so the type
an edition must give them, are the computing function's keyword defaults (`defaults()`): a yes/no
default takes true/false, a number default a number not below 0, a code default one of
`param_codes` (a `None` default: a code or a list of codes). `param_dates` names the parameter pairs
that form a calendar day, `param_divisors` those the measure divides by, `param_checks` any further
check of one value: `standards.thresholds` refuses an edition that breaks them when it is saved.

A measure declares the records it reads (`reads=("personnel.Member",)`; `()` for one read off the
community row alone), so that a change to one kind of record re-measures only what reads it; the
tests hold each declaration to the tables the measure's queries actually touch.
"""

import inspect
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ImproperlyConfigured

NUMBER = "number"
LIST = "list"
NOT_APPLICABLE = "n/a"

QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def quarter(day: date) -> int:
    return (day.month - 1) // 3 + 1


def is_fraction(value) -> bool:
    """An exact fraction as the editions write it: {"numerator": 2, "denominator": 3}."""
    return (
        isinstance(value, dict)
        and set(value) == {"numerator", "denominator"}
        and all(isinstance(value[k], int) and not isinstance(value[k], bool) for k in value)
        and value["denominator"] > 0
    )


def exact(value) -> Fraction:
    """A number (int, Decimal, float read through its decimal text, numeric string), an exact
    fraction dict or a Fraction as an exact Fraction: 0.1 is 1/10, and 200 of 300 is exactly 2/3."""
    if isinstance(value, Fraction):
        return value
    if is_fraction(value):
        return Fraction(value["numerator"], value["denominator"])
    if isinstance(value, bool) or value is None:
        raise TypeError(f"not a number: {value!r}")
    if isinstance(value, int | Decimal):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))  # 0.1 → 1/10, not the binary double
    if isinstance(value, str):
        return Fraction(Decimal(value))
    raise TypeError(f"not a number: {value!r}")


def is_plain_number(value) -> bool:
    """An int, float or Decimal that is finite (not a yes/no, not NaN or infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    if isinstance(value, int):
        return True
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str  # Chinese name shown in readable thresholds ("≥ 社区人口 × 0.1")
    compute: Callable[..., dict[int, Any]]
    unit: str = ""  # "平方米", "户", "人" …; "" for shares (exact fractions between 0 and 1)
    kind: str = NUMBER  # NUMBER or LIST
    params: dict[str, str] = field(default_factory=dict)  # parameter name → Chinese label
    param_codes: dict[str, dict] = field(default_factory=dict)  # labels of a parameter's values
    codes: dict = field(default_factory=dict)  # LIST measures: the codes the list may hold → labels
    yes_no: bool = False  # a NUMBER measure that is 1 (yes) or 0 (no)
    whole: bool = False  # a count: a shortfall is rounded up to whole units ("还需2个")
    # The records it reads besides the community's own row, as model labels ("communities.Activity"):
    # a saved activity re-measures only the measures that read activities (`EditionEvaluator`).
    # None (not declared): re-measured after any change.
    reads: tuple[str, ...] | None = None
    # Reads only the records that count for the judged year (by their model's `year_field`): a record
    # of another year leaves it as it is, so a new activity does not re-measure last year's self-check.
    within_year: bool = False
    # Parameters that together name a day of the year: label → (month parameter, day parameter), e.g.
    # {"截止日期": ("deadline_month", "deadline_day")}. The day must exist every year (no 29 February).
    param_dates: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Parameters the measure divides by: they must be greater than 0.
    param_divisors: tuple[str, ...] = ()
    # Further checks of one parameter: name → fn(value) returning Chinese messages ([] when valid).
    param_checks: dict[str, Callable[[Any], list[str]]] = field(default_factory=dict)

    def defaults(self) -> dict[str, Any]:
        """The declared parameters' defaults, read off the computing function's keyword arguments:
        what an edition that leaves a parameter out gets, and the type it must give one."""
        signature = inspect.signature(self.compute).parameters
        return {
            name: signature[name].default
            for name in self.params
            if name in signature and signature[name].default is not inspect.Parameter.empty
        }

    def __call__(self, batch: "Batch", params: dict | None = None) -> dict[int, Any]:
        return self.compute(batch, **(params or {}))


MEASURES: dict[str, Measure] = {}


def register(key: str, label: str, **options) -> Callable:
    """Decorator: register `fn(batch, **params) -> {community_id: value}` under `key`."""

    def decorator(fn):
        if key in MEASURES:
            raise ImproperlyConfigured(f"measure {key!r} is registered twice")
        MEASURES[key] = Measure(key=key, label=label, compute=fn, **options)
        return fn

    return decorator


def get(key: str) -> Measure | None:
    return MEASURES.get(key)


def year_bound(label: str) -> bool:
    """Whether every measure that reads the records `label` reads only those of the judged year (and
    one does): a record of that kind, new or deleted, can move only the self-check of its own year."""
    reading = [m for m in MEASURES.values() if m.reads is None or label in m.reads]
    return bool(reading) and all(m.within_year for m in reading)


class Batch:
    """The communities of one evaluation chunk, and the year they are judged for.

    `communities` maps id → Community (with its town and district loaded). Measures that read the
    same rows (every member of the chunk, every facility) share them through `rows()`, so a chunk
    costs one query per table rather than one per measure.
    """

    def __init__(self, communities: Iterable, year: int):
        self.year = year
        self.communities = {community.pk: community for community in communities}
        self.ids = list(self.communities)
        self.start = date(year, 1, 1)
        self.end = date(year, 12, 31)
        self._rows: dict[str, Any] = {}

    def __len__(self):
        return len(self.ids)

    def rows(self, name: str, load: Callable[[], Any]) -> Any:
        """`load()` once per batch under `name`; later calls return the same rows."""
        if name not in self._rows:
            self._rows[name] = load()
        return self._rows[name]

    def each(self, fn: Callable) -> dict[int, Any]:
        """{id: fn(community)} — for measures read off the community row itself."""
        return {pk: fn(community) for pk, community in self.communities.items()}

    def grouped(self, name: str, queryset, key: str = "community_id") -> dict[int, list]:
        """The rows of `queryset` restricted to this batch, grouped by community id (cached)."""

        def load():
            groups: dict[int, list] = {pk: [] for pk in self.ids}
            for row in queryset.filter(**{f"{key}__in": self.ids}):
                groups[row[key] if isinstance(row, dict) else getattr(row, key)].append(row)
            return groups

        return self.rows(name, load)

    def in_year(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


# ---- the standard's parameters, for records that compute amounts from it ---------------------------
#
# A few records compute a figure the standard defines (the work fund due by households, the service
# radius a member village is warned against). They read it from the community's current edition
# through this hook, which `assessments` installs, so the records apps never import assessments and a
# city that changes the figure in its edition changes it everywhere.

_edition_params: Callable[[Any, str], dict] | None = None


def install_edition_params(source: Callable[[Any, str], dict]) -> None:
    global _edition_params
    _edition_params = source


def edition_params(community, measure_key: str) -> dict:
    """The parameters the community's current edition gives `measure_key` ({} when it names none)."""
    return _edition_params(community, measure_key) if _edition_params is not None else {}
