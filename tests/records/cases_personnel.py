"""Record cases for the personnel record types (see cases.py)."""

import datetime
from decimal import Decimal

from demo.factories import (
    AppraisalFactory,
    BuildingLeaderFactory,
    ElectionCandidateFactory,
    ElectionFactory,
    MemberFactory,
    PartyMemberCaseFactory,
    ReserveCadreFactory,
    ResidentsGroupFactory,
    SubCommitteeFactory,
    TalkFactory,
    TrainingFactory,
)

from .cases import FUTURE, RecordCase, case

NEXT_YEAR = datetime.date.today().year + 1


# ---- sub-committees (U-SUBC) --------------------------------------------------------------------
def _subcommittee(community, **fields):
    defaults = {"kind": "mediation", "resident_representatives": 4}  # a committee member leads it
    return SubCommitteeFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="subcommittees",
        make=_subcommittee,
        body=lambda c: {
            "community": c.pk,
            "kind": "security",
            "leader": MemberFactory(community=c, role="member").pk,
            "resident_representatives": 3,
            "note": "",
        },
        change={"resident_representatives": 5},
        invalid=[
            ({"kind": "sports"}, "kind"),
            ({"leader": 987654}, "leader"),
            ({"leader": None}, "leader"),
            ({"resident_representatives": -1}, "resident_representatives"),
        ],
    )
)


# ---- residents' groups (U-GROUP) ----------------------------------------------------------------
def _residents_group(community, **fields):
    defaults = {
        "name": "第一居民小组",
        "households": 250,
        "leader_name": "陈静",
        "leader_elected_by_group": True,
        "term_start": datetime.date(2021, 7, 1),
        "term_end": datetime.date(2026, 6, 30),
    }
    return ResidentsGroupFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="residents-groups",
        make=_residents_group,
        body=lambda c: {
            "community": c.pk,
            "name": "第二居民小组",
            "households": 220,
            "leader_name": "刘洋",
            "leader_elected_by_group": True,
            "term_start": "2021-07-01",
            "term_end": "2026-06-30",
        },
        change={"households": 260},
        invalid=[
            ({"households": 0}, "households"),
            ({"term_end": "2021-01-01"}, "term_end"),
            ({"term_end": "2021-07-01"}, "term_end"),
            ({"leader_name": ""}, "leader_name"),
        ],
    )
)


# ---- building leaders (U-BLDG) ------------------------------------------------------------------
def _building_leader(community, **fields):
    defaults = {"name": "孙丽", "building": "3号楼1单元", "households": 24, "phone": "13800000001"}
    return BuildingLeaderFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="building-leaders",
        make=_building_leader,
        body=lambda c: {
            "community": c.pk,
            "name": "周强",
            "building": "5号楼",
            "households": 28,
            "phone": "13800000002",
        },
        change={"households": 30},
        invalid=[
            ({"households": 0}, "households"),
            ({"households": -3}, "households"),
            ({"name": ""}, "name"),
            ({"phone": "+1-1"}, "phone"),
        ],
    )
)


# ---- elections and candidates (U-ELECT, U-CAND, V-DIRECT) ---------------------------------------
def _election(community, **fields):
    defaults = {
        "body": "residents_committee",
        "held_on": datetime.date(2024, 5, 20),
        "direct": True,
        "method": "direct",
        "voters": 5200,
        "turnout_percent": Decimal("86.50"),
        "election_committee_size": 7,
    }
    return ElectionFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="elections",
        make=_election,
        body=lambda c: {
            "community": c.pk,
            "body": "party_organization",
            "held_on": "2024-04-10",
            "direct": False,
            "method": "two_recommendations",
            "voters": 120,
            "turnout_percent": "95.00",
        },
        change={"voters": 125},
        invalid=[
            ({"body": "council"}, "body"),
            ({"method": "lottery"}, "method"),
            ({"held_on": FUTURE}, "held_on"),
            ({"voters": 0}, "voters"),
            ({"turnout_percent": "120"}, "turnout_percent"),
            ({"turnout_percent": "-1"}, "turnout_percent"),
            ({"election_committee_size": 0}, "election_committee_size"),
            ({"method": "direct", "direct": False}, "direct"),
        ],
    )
)


def _candidate(community, **fields):
    defaults = {
        "name": "吴敏",
        "resident_since": datetime.date(2012, 3, 1),
        "on_election_committee": False,
        "elected": True,
    }
    return ElectionCandidateFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="candidates",
        make=_candidate,
        body=lambda c: {
            "community": c.pk,
            "election": ElectionFactory(community=c).pk,
            "name": "郑华",
            "resident_since": "2015-09-01",
            "on_election_committee": False,
            "elected": False,
        },
        change={"elected": True},
        invalid=[
            ({"election": 987654}, "election"),
            ({"resident_since": FUTURE}, "resident_since"),
            ({"name": ""}, "name"),
        ],
    )
)


# ---- trainings (U-TRAIN, V-TRAIN) ---------------------------------------------------------------
def _training(community, **fields):
    defaults = {
        "trainee_name": "张伟",
        "organiser_tier": "district",
        "held_on": datetime.date(2024, 9, 12),
        "days": Decimal("3.0"),
        "topic": "社区治理与居民自治",
        "practical_techniques": 0,
    }
    return TrainingFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="trainings",
        make=_training,
        body=lambda c: {
            "community": c.pk,
            "trainee": MemberFactory(community=c, role="member").pk,
            "organiser_tier": "city",
            "held_on": "2024-10-08",
            "days": "2.5",
            "topic": "新任主任培训",
            "practical_techniques": 2,
        },
        change={"days": "7"},
        invalid=[
            ({"days": "0"}, "days"),
            ({"days": "-1"}, "days"),
            ({"organiser_tier": "province"}, "organiser_tier"),
            ({"held_on": FUTURE}, "held_on"),
            ({"topic": ""}, "topic"),
            ({"trainee": 987654}, "trainee"),
        ],
    )
)


# ---- reserve cadres -----------------------------------------------------------------------------
def _reserve_cadre(community, **fields):
    defaults = {"name": "林涛", "birth_year": 1990, "education": "大专", "since": datetime.date(2022, 1, 10)}
    return ReserveCadreFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="reserve-cadres",
        make=_reserve_cadre,
        body=lambda c: {
            "community": c.pk,
            "name": "黄蕾",
            "birth_year": 1994,
            "education": "本科",
            "since": "2023-03-01",
            "note": "",
        },
        change={"education": "研究生"},
        invalid=[
            ({"birth_year": 1900}, "birth_year"),
            ({"birth_year": NEXT_YEAR}, "birth_year"),
            ({"since": FUTURE}, "since"),
            ({"name": ""}, "name"),
        ],
    )
)


# ---- party-member development (V-MEMBER, V-NOTICE) ----------------------------------------------
def _party_case(community, **fields):
    defaults = {
        "name": "高洁",
        "appraisal_approval_percent": Decimal("85.00"),
        "exam_passed": True,
        "notice_start": datetime.date(2024, 6, 1),
        "notice_end": datetime.date(2024, 6, 7),
        "admitted_on": datetime.date(2024, 7, 1),
    }
    return PartyMemberCaseFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="party-cases",
        make=_party_case,
        body=lambda c: {
            "community": c.pk,
            "name": "马骏",
            "appraisal_approval_percent": "78.50",
            "exam_passed": True,
            "notice_start": "2024-05-06",
            "notice_end": "2024-05-12",
        },
        change={"admitted_on": "2024-06-01"},
        invalid=[
            ({"appraisal_approval_percent": "101"}, "appraisal_approval_percent"),
            ({"appraisal_approval_percent": "-5"}, "appraisal_approval_percent"),
            ({"notice_end": "2024-05-01"}, "notice_end"),
            ({"admitted_on": FUTURE}, "admitted_on"),
        ],
    )
)


# ---- appraisals and audits (V-APPRAISE, V-MEMBERAPPR) -------------------------------------------
def _appraisal(community, **fields):
    defaults = {
        "year": 2024,
        "half": 1,
        "subject": "cadres",
        "held_on": datetime.date(2024, 6, 18),
        "participants": 45,
    }
    return AppraisalFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="appraisals",
        make=_appraisal,
        body=lambda c: {
            "community": c.pk,
            "year": 2024,
            "half": 2,
            "subject": "audit",
            "held_on": "2024-12-10",
            "participants": 9,
        },
        change={"participants": 11},
        invalid=[
            ({"held_on": "2024-03-01"}, "held_on"),
            ({"held_on": "2023-12-10"}, "held_on"),
            ({"held_on": FUTURE}, "held_on"),
            ({"half": 3}, "half"),
            ({"subject": "picnic"}, "subject"),
            ({"year": 1990}, "year"),
            ({"participants": 0}, "participants"),
        ],
    )
)


# ---- talks (V-TALK) -----------------------------------------------------------------------------
def _talk(community, **fields):
    defaults = {
        "held_on": datetime.date(2024, 3, 15),
        "township_leader": "镇党委书记 李明",
        "village_leaders": "书记 王强、主任 赵亮",
        "topic": "春耕生产与村务公开",
    }
    return TalkFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="talks",
        make=_talk,
        body=lambda c: {
            "community": c.pk,
            "held_on": "2024-06-20",
            "township_leader": "副镇长 周文",
            "village_leaders": "书记兼主任 钱进",
            "topic": "防汛工作",
        },
        change={"topic": "防汛与安全生产"},
        invalid=[
            ({"held_on": FUTURE}, "held_on"),
            ({"township_leader": ""}, "township_leader"),
            ({"topic": ""}, "topic"),
        ],
    )
)
