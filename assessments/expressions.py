"""Database expressions over a self-check's JSON columns, so that figures over a whole city are counted
by the database rather than by loading every self-check's results into Python (a 20,000-community
city holds about 160 MB of results). PostgreSQL (jsonb) and SQLite (JSON1) each get their own SQL;
the figures' tests run on both.
"""

from django.db import NotSupportedError
from django.db.models import BooleanField, FloatField, Func, Value


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


def failed_counts(self_checks) -> list[tuple[int, int, str, str, int]]:
    """[(town id, edition id, level reached, failed indicator code, self-checks)] over the given
    self-checks: the `failed` lists unnested and counted per town by the database, one query. The
    self-checks' own query is the derived table (an `id IN (...)` of it joined again took twice as
    long over a city)."""
    from django.db import connections
    from django.db.models import F

    connection = connections[self_checks.db]
    template = FAILED_COUNTS_SQL.get(connection.vendor)
    if template is None:
        raise NotSupportedError(f"failed_counts is not written for {connection.vendor}.")
    columns = {
        "town": F("community__unit_id"),
        "edition_ref": F("edition_id"),
        "reached": F("level"),
        "codes": F("failed"),
    }
    checks, params = self_checks.order_by().values(**columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(template.format(checks=checks), params)
        return cursor.fetchall()
