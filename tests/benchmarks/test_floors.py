"""The ratio lines the benchmarks print, and the read floor of bench-self-check."""

import pytest
from django.apps import apps
from django.db import connection

from benchmarks import floors
from core.measures import MEASURES
from demo.factories import MemberFactory


def test_ratio_lines_have_the_promised_form():
    assert (
        floors.ratio_line("floor", "run", 31.04, "floor", 3.85)
        == "floor ratio: 8.1× (run 31.0 s / floor 3.85 s)"
    )
    assert (
        floors.ratio_line("floor", "import", 2.5, "bulk insert", 0.5)
        == "floor ratio: 5.0× (import 2.50 s / bulk insert 0.50 s)"
    )
    assert (
        floors.naive_line(120.0, 1.55)
        == "naive ratio: 77.4× (naive 120.0 s per 1,000 / batched 1.55 s per 1,000)"
    )


def test_the_floor_reads_every_table_the_measures_declare():
    labels = floors.read_labels()
    declared = {label for measure in MEASURES.values() for label in (measure.reads or ())}
    assert set(labels) == declared | {"communities.Community"}
    assert "personnel.Member" in labels and "facilities.Facility" in labels


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the floor is PostgreSQL's COPY")
def test_read_floor_copies_the_city_rows_only(small_city, world):
    from personnel.models import Member

    MemberFactory(community=world.c1)

    found = floors.read_floor(small_city)

    tables = {apps.get_model(label)._meta.db_table for label in floors.read_labels()}
    assert set(found["tables"]) == tables
    assert found["seconds"] > 0
    # The city's rows, all of them and no other city's (the world's communities and members).
    assert found["table_rows"]["communities_community"] == 40
    members = Member.objects.filter(community__unit__tenant=small_city).count()
    assert members > 40 and found["table_rows"]["personnel_member"] == members
    assert found["rows"] == sum(found["table_rows"].values())
