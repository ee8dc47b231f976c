"""One declaration per record type; tests/records/test_record_types.py runs the same matrix over all.

A case gives: how to make a valid record in a community (`make`), a valid API create body
(`body`, for community `c`), a valid change (`change`), and bad inputs with the field that must
carry the error (`invalid`: (change, field) pairs). Every registered record type must have a case.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from demo.factories import MemberFactory


@dataclass
class RecordCase:
    slug: str
    make: Callable[[Any], Any]  # community -> saved record
    body: Callable[[Any], dict]  # community -> API create body (JSON)
    change: dict
    invalid: list[tuple[dict, str]] = field(default_factory=list)
    # Form data differs from JSON only for booleans and files; override when needed.
    form_body: Callable[[Any], dict] | None = None

    def form_data(self, community) -> dict:
        data = self.form_body(community) if self.form_body else self.body(community)
        return {key: _form_value(value) for key, value in data.items() if value is not False}


def _form_value(value):
    if value is True:
        return "on"
    return value


CASES: dict[str, RecordCase] = {}


def case(record_case: RecordCase) -> RecordCase:
    CASES[record_case.slug] = record_case
    return record_case


FUTURE = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()


# ---- personnel ---------------------------------------------------------------------------------
def _member(community, **fields):
    defaults = {
        "name": "张伟",
        "body": "residents_committee",
        "role": "director",
        "full_time": True,
        "resident_since": datetime.date(2005, 3, 1),
    }
    return MemberFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="members",
        make=_member,
        body=lambda c: {
            "community": c.pk,
            "name": "李娜",
            "body": "residents_committee",
            "role": "member",
            "full_time": True,
            "resident_since": "2010-06-01",
        },
        change={"role": "deputy_director"},
        invalid=[
            ({"body": "council"}, "body"),
            ({"resident_since": FUTURE}, "resident_since"),
            ({"name": ""}, "name"),
            ({"phone": "=1+1"}, "phone"),
            ({"phone": "=cmd|' /C calc'!A0"}, "phone"),
        ],
    )
)


# Each records area declares its cases in its own module.
from . import cases_communities_life, cases_facilities_funding, cases_personnel  # noqa: E402, F401
