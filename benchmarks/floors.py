"""What each benchmark compares itself with, in the same run: a floor (the least the work could cost on
this machine: reading the rows it reads, inserting the rows it inserts, running its grouped queries
raw) or a naive path, and the one line each prints.

- `read_floor(tenant)`: every table the registered measures declare in `reads` (and the communities'
  own rows, which the `reads=()` measures read), the city's rows, all columns, copied by PostgreSQL
  (`COPY (SELECT …) TO STDOUT`) into a sink that keeps nothing: what reading the run's records costs
  before any Python object is built.
- `ratio_line(...)`: "floor ratio: 8.1× (run 31.0 s / floor 3.85 s)" and the like.
"""

import time


def seconds(value: float) -> str:
    """Seconds as the ratio lines print them: two decimals below 10 s, one above."""
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def ratio(measured: float, floor: float) -> float:
    return measured / floor if floor > 0 else float("inf")


def ratio_line(name: str, measured_label: str, measured: float, floor_label: str, floor: float) -> str:
    """`floor ratio: R× (run W s / floor F s)`: R with one decimal."""
    return (
        f"{name} ratio: {ratio(measured, floor):.1f}× ({measured_label} {seconds(measured)} s / "
        f"{floor_label} {seconds(floor)} s)"
    )


def naive_line(naive_per_1000: float, batched_per_1000: float) -> str:
    """`naive ratio: N× (naive S s per 1,000 / batched B s per 1,000)`."""
    return (
        f"naive ratio: {ratio(naive_per_1000, batched_per_1000):.1f}× (naive {seconds(naive_per_1000)} s "
        f"per 1,000 / batched {seconds(batched_per_1000)} s per 1,000)"
    )


def read_labels() -> list[str]:
    """The model labels the registered measures read (`reads`), and the communities' own table."""
    from core.measures import MEASURES

    labels = {label for measure in MEASURES.values() for label in (measure.reads or ())}
    return ["communities.Community", *sorted(labels)]


class NullSink:
    """A file that keeps nothing: COPY's output is only counted (bytes, and rows: COPY's text format
    ends each row with a newline and escapes those inside values)."""

    def __init__(self):
        self.bytes = 0
        self.rows = 0

    def write(self, data) -> int:
        self.bytes += len(data)
        self.rows += data.count(b"\n" if isinstance(data, bytes) else "\n")
        return len(data)


def read_floor(tenant) -> dict:
    """Copy every table the measures read, restricted to the tenant's communities, into a null sink:
    {"seconds", "bytes", "rows", "tables": {db_table: seconds}, "table_rows": {db_table: rows}}.
    PostgreSQL only (COPY)."""
    from django.apps import apps
    from django.db import connection

    from communities.models import Community

    communities = Community.objects.filter(unit__tenant=tenant).values("pk")
    tables, table_rows = {}, {}
    sink = NullSink()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor: copy_expert
        for label in read_labels():
            model = apps.get_model(label)
            if model is Community:
                rows = Community.objects.filter(unit__tenant=tenant)
            else:
                rows = model.objects.filter(community_id__in=communities)
            sql, params = rows.query.sql_with_params()
            statement = raw.mogrify(sql, params).decode()
            before = sink.rows
            started = time.perf_counter()
            raw.copy_expert(f"COPY ({statement}) TO STDOUT", sink)
            tables[model._meta.db_table] = time.perf_counter() - started
            table_rows[model._meta.db_table] = sink.rows - before
    return {
        "seconds": sum(tables.values()),
        "bytes": sink.bytes,
        "rows": sink.rows,
        "tables": tables,
        "table_rows": table_rows,
    }
