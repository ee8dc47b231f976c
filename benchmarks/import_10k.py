"""Benchmark: import a workbook of 10,000 rows (2,000 communities and 8,000 members) and print the time.

Target: under 30 s. Runs against a throwaway test database on whatever DATABASE_URL selects (SQLite
by default). Usage: `make bench-import` or `python -m benchmarks.import_10k [rows]`.

Its floor, in the same run: the same rows (the imported communities and members, every column) written
again into another town with plain `bulk_create`, no validation and no history rows: what inserting
them costs on this database, against which the import's own time reads as a ratio.
"""

import os
import platform
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from benchmarks.floors import ratio_line  # noqa: E402
from communities.imports import run_import  # noqa: E402
from communities.models import Community  # noqa: E402
from demo.factories import CityFactory, DistrictFactory, TenantFactory, TownFactory, UserFactory  # noqa: E402
from demo.workbooks import workbook  # noqa: E402
from personnel.models import Member  # noqa: E402

MEMBERS_PER_COMMUNITY = 4
BATCH = 500  # the import's own bulk batch size


def bulk_insert_floor(source_town, town) -> float:
    """The seconds `bulk_create` takes to write the communities and members imported into
    `source_town` again, into `town`: the same rows, every column, without validation or history."""
    own = ("id", "unit_id")
    communities = list(Community.objects.filter(unit=source_town).order_by("pk").values())
    members = list(Member.objects.filter(community__unit=source_town).order_by("pk").values())
    started = time.perf_counter()
    copies = Community.objects.bulk_create(
        [Community(**{k: v for k, v in row.items() if k not in own}, unit=town) for row in communities],
        batch_size=BATCH,
    )
    new_id = {row["id"]: copy.pk for row, copy in zip(communities, copies, strict=True)}
    Member.objects.bulk_create(
        [
            Member(
                **{k: v for k, v in row.items() if k not in ("id", "community_id")},
                community_id=new_id[row["community_id"]],
            )
            for row in members
        ],
        batch_size=BATCH,
    )
    return time.perf_counter() - started


def build_workbook(town: str, communities: int) -> bytes:
    roles = ["主任", "副主任", "委员", "委员"]
    return workbook(
        (
            [
                town,
                f"测试{i:05d}社区",
                "城市社区",
                "普通型",
                1500 + i % 2000,
                5000 + i % 3000,
                "2010-01-01",
                f"测试路{i}号",
                "",
            ]
            for i in range(communities)
        ),
        (
            [
                town,
                f"测试{i:05d}社区",
                f"成员{i}-{j}",
                "社区居委会",
                roles[j],
                "是",
                "2005-06-01",
                "",
                "是",
                "否",
                "",
                "",
            ]
            for i in range(communities)
            for j in range(MEMBERS_PER_COMMUNITY)
        ),
        write_only=True,
    )


def main(rows: int) -> None:
    communities = rows // (1 + MEMBERS_PER_COMMUNITY)
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        town = TownFactory(
            parent=DistrictFactory(
                parent=CityFactory(tenant=TenantFactory(name="基准市", code="bench")), name="基准区"
            ),
            name="基准街道",
        )
        clerk = UserFactory(username="bench", unit=town, role="town_clerk")
        data = build_workbook(town.name, communities)
        started = time.perf_counter()
        report = run_import(clerk, data, check_only=False)
        elapsed = time.perf_counter() - started
        assert not report.errors, report.errors[:5]
        assert (
            Community.objects.count() == communities
            and Member.objects.count() == communities * MEMBERS_PER_COMMUNITY
        )
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {connection.vendor}")
        print(
            f"rows imported: {report.rows} ({communities} communities, {communities * MEMBERS_PER_COMMUNITY} members)"
        )
        print(
            f"import time: {elapsed:.1f} s ({report.rows / elapsed:.0f} rows/s); target < 30 s for 10,000 rows"
        )
        floor = bulk_insert_floor(town, TownFactory(parent=town.parent, name="基准街道二"))
        print(ratio_line("floor", "import", elapsed, "bulk insert", floor))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
