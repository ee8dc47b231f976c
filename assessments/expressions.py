"""Database expressions over a self-check's JSON columns, so that figures over a whole city are counted
by the database rather than by loading every self-check's results into Python (a 20,000-community
city holds about 160 MB of results). PostgreSQL (jsonb) and SQLite (JSON1) each get their own SQL;
the figures' tests run on both.
"""

from django.db import NotSupportedError, connections
from django.db.models import BooleanField, F, FloatField, Func, Value


class _JsonFunc(Func):
    """`template[vendor]` with the JSON column and the indicator code in that order."""

    templates: dict[str, str] = {}

    def __init__(self, code: str, field: str):
        super().__init__(field, Value(code))

    def as_sql(self, compiler, connection, **extra):
        template = self.templates.get(connection.vendor)
        if template is None:
            raise NotSupportedError(f"{type(self).__name__} is not written for {connection.vendor}.")
        field, code = (compiler.compile(expression) for expression in self.source_expressions)
        return template.format(field=field[0], code=code[0]), (*field[1], *code[1])


class FailedHas(_JsonFunc):
    """True when the self-check's `failed` list holds the indicator `code`."""

    output_field = BooleanField()
    conditional = True  # usable in filter() and When() as it is
    templates = {
        "postgresql": "({field} @> jsonb_build_array({code}::text))",
        "sqlite": "EXISTS (SELECT 1 FROM json_each({field}) WHERE json_each.value = {code})",
    }

    def __init__(self, code: str, field: str = "failed"):
        super().__init__(code, field)


class ResultValue(_JsonFunc):
    """The numeric `value` of the indicator `code` in the self-check's results; NULL when the indicator
    is absent or its value is not a number (不适用, a list, unjudged)."""

    output_field = FloatField()
    templates = {
        "postgresql": (
            "(SELECT (item->>'value')::float FROM jsonb_array_elements({field}) AS item "
            "WHERE item->>'indicator' = {code}::text AND jsonb_typeof(item->'value') = 'number' LIMIT 1)"
        ),
        "sqlite": (
            "(SELECT CAST(json_extract(item.value, '$.value') AS REAL) FROM json_each({field}) AS item "
            "WHERE json_extract(item.value, '$.indicator') = {code} "
            "AND json_type(item.value, '$.value') IN ('integer', 'real') LIMIT 1)"
        ),
    }

    def __init__(self, code: str, field: str = "results"):
        super().__init__(code, field)


FAILED_COUNTS_SQL = {
    "postgresql": (
        "SELECT s.town, s.edition_ref, s.reached, j.code, COUNT(*) FROM ({checks}) AS s "
        "CROSS JOIN LATERAL jsonb_array_elements_text(s.codes) AS j(code) GROUP BY 1, 2, 3, 4"
    ),
    "sqlite": (
        "SELECT s.town, s.edition_ref, s.reached, j.value, COUNT(*) FROM ({checks}) AS s, json_each(s.codes) AS j "
        "GROUP BY 1, 2, 3, 4"
    ),
}


def _grouped_rows(self_checks, templates: dict, name: str, **columns) -> list[tuple]:
    """`templates[vendor]` run over the self-checks' own query as its derived table `s` (an
    `id IN (...)` of it joined again took twice as long over a city), with `columns` selected."""
    connection = connections[self_checks.db]
    template = templates.get(connection.vendor)
    if template is None:
        raise NotSupportedError(f"{name} is not written for {connection.vendor}.")
    checks, params = self_checks.order_by().values(**columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(template.format(checks=checks), params)
        return cursor.fetchall()


def failed_counts(self_checks) -> list[tuple[int, int, str, str, int]]:
    """[(town id, edition id, level reached, failed indicator code, self-checks)] over the given
    self-checks: the `failed` lists unnested and counted per town by the database, one query."""
    return _grouped_rows(
        self_checks,
        FAILED_COUNTS_SQL,
        "failed_counts",
        town=F("community__unit_id"),
        edition_ref=F("edition_id"),
        reached=F("level"),
        codes=F("failed"),
    )


# Per town, edition and item: the points lost by the results below full marks (`points − earned`, the
# judged ones: unjudged items hold no `earned`), and how many of them were stored before items had
# points (no `earned` key at all: they lost the item's full marks, which the caller adds).
POINTS_LOST_SQL = {
    "postgresql": (
        "SELECT s.town, s.edition_ref, item->>'indicator', "
        "SUM(CASE WHEN jsonb_typeof(item->'earned') = 'number' "
        "THEN (item->>'points')::numeric - (item->>'earned')::numeric ELSE 0 END), "
        "SUM(CASE WHEN item->'earned' IS NULL THEN 1 ELSE 0 END) "
        "FROM ({checks}) AS s CROSS JOIN LATERAL jsonb_array_elements(s.items) AS item "
        "WHERE item->>'passed' = 'false' AND COALESCE(item->>'applicable', 'true') <> 'false' "
        "GROUP BY 1, 2, 3"
    ),
    "sqlite": (
        "SELECT s.town, s.edition_ref, json_extract(j.value, '$.indicator'), "
        "SUM(CASE WHEN json_type(j.value, '$.earned') IN ('integer', 'real') "
        "THEN json_extract(j.value, '$.points') - json_extract(j.value, '$.earned') ELSE 0 END), "
        "SUM(CASE WHEN json_type(j.value, '$.earned') IS NULL THEN 1 ELSE 0 END) "
        "FROM ({checks}) AS s, json_each(s.items) AS j "
        "WHERE json_type(j.value, '$.passed') = 'false' "
        "AND COALESCE(json_type(j.value, '$.applicable'), 'true') <> 'false' "
        "GROUP BY 1, 2, 3"
    ),
}


def points_lost(self_checks) -> list[tuple[int, int, str, float, int]]:
    """[(town id, edition id, indicator code, points lost, results without points)] over the given
    self-checks: their results unnested once by the database, one query."""
    return _grouped_rows(
        self_checks,
        POINTS_LOST_SQL,
        "points_lost",
        town=F("community__unit_id"),
        edition_ref=F("edition_id"),
        items=F("results"),
    )
