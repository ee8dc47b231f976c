"""Record cases for the communities_life record types (see cases.py)."""

import datetime

from demo.factories import (
    ActivityFactory,
    DisclosureFactory,
    MeetingFactory,
    MemberVillageFactory,
    OrganizationFactory,
    VillageRecognitionFactory,
    VolunteerRegistrationFactory,
)

from .cases import FUTURE, RecordCase, case

THIS_YEAR = datetime.date.today().year
LAST_YEAR = THIS_YEAR - 1
TWO_YEARS_AGO = THIS_YEAR - 2


def as_kind(community, kind):
    """Member villages belong to rural communities and 五个好 to villages; the shared matrix hands
    every case the same (urban) community, so a case turns it into the kind its records need."""
    from communities.models import Community

    if community.kind != kind:
        Community.objects.filter(pk=community.pk).update(kind=kind)
        community.kind = kind
    return community


# ---- organizations ---------------------------------------------------------------------------
def make_organization(community, **fields):
    defaults = {"kind": "social", "name": "夕阳红艺术团", "members_count": 24, "hangs_plaque": True}
    return OrganizationFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="organizations",
        make=make_organization,
        body=lambda c: {
            "community": c.pk,
            "kind": "association",
            "name": "老年协会",
            "registered_on": "2019-03-01",
            "members_count": 56,
            "hangs_plaque": True,
        },
        change={"members_count": 60},
        invalid=[
            ({"kind": "club"}, "kind"),
            ({"name": ""}, "name"),
            ({"registered_on": FUTURE}, "registered_on"),
            ({"members_count": 0}, "members_count"),
        ],
    )
)


# ---- activities ------------------------------------------------------------------------------
def make_activity(community, **fields):
    defaults = {"kind": "volunteer", "held_on": datetime.date(LAST_YEAR, 3, 5), "title": "学雷锋志愿服务"}
    return ActivityFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="activities",
        make=make_activity,
        body=lambda c: {
            "community": c.pk,
            "kind": "mutual_aid",
            "held_on": f"{LAST_YEAR}-05-04",
            "title": "邻里互助日",
            "participants": 45,
        },
        change={"participants": 50},
        invalid=[
            ({"kind": "party"}, "kind"),
            ({"held_on": FUTURE}, "held_on"),
            ({"title": ""}, "title"),
            ({"participants": 0}, "participants"),
        ],
    )
)


# ---- meetings --------------------------------------------------------------------------------
def make_meeting(community, **fields):
    defaults = {"kind": "residents", "held_on": datetime.date(LAST_YEAR, 1, 12), "topic": "年度工作计划"}
    return MeetingFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="meetings",
        make=make_meeting,
        body=lambda c: {
            "community": c.pk,
            "kind": "consultation",
            "held_on": f"{LAST_YEAR}-06-18",
            "topic": "小区停车管理",
            "attendees": 21,
            "decisions": "划定临时停车位。",
        },
        change={"decisions": "划定临时停车位,三个月后复议。"},
        invalid=[
            ({"kind": "council"}, "kind"),
            ({"held_on": FUTURE}, "held_on"),
            ({"topic": ""}, "topic"),
            ({"attendees": 0}, "attendees"),
        ],
    )
)


# ---- disclosures -----------------------------------------------------------------------------
def make_disclosure(community, **fields):
    defaults = {"published_on": datetime.date(LAST_YEAR, 1, 20), "topics": ["plans"], "channel": "board"}
    return DisclosureFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="disclosures",
        make=make_disclosure,
        body=lambda c: {
            "community": c.pk,
            "published_on": f"{LAST_YEAR}-04-02",
            "topics": ["work", "finances"],
            "channel": "board",
        },
        change={"channel": "online"},
        invalid=[
            ({"topics": []}, "topics"),
            ({"topics": ["salaries"]}, "topics"),
            ({"channel": "radio"}, "channel"),
            ({"published_on": FUTURE}, "published_on"),
        ],
    )
)


# ---- volunteer registrations -----------------------------------------------------------------
def make_volunteer_registration(community, **fields):
    defaults = {"year": TWO_YEARS_AGO, "registered": 650}
    return VolunteerRegistrationFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="volunteer-registrations",
        make=make_volunteer_registration,
        body=lambda c: {"community": c.pk, "year": LAST_YEAR, "registered": 700, "note": "含在职党员"},
        change={"registered": 720},
        invalid=[
            ({"registered": -1}, "registered"),
            ({"year": THIS_YEAR + 1}, "year"),
            ({"year": 1990}, "year"),
        ],
    )
)


# ---- member villages (rural communities) -----------------------------------------------------
def make_member_village(community, **fields):
    as_kind(community, "rural")
    defaults = {"name": "红光村", "distance_km": "0.5", "population": 1200, "households": 380}
    return MemberVillageFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="member-villages",
        make=make_member_village,
        body=lambda c: {
            "community": as_kind(c, "rural").pk,
            "name": "前进村",
            "distance_km": "2.5",
            "population": 800,
            "households": 260,
        },
        change={"population": 820},
        invalid=[
            ({"name": ""}, "name"),
            ({"distance_km": "-1"}, "distance_km"),
            ({"population": 0}, "population"),
            ({"households": 900}, "households"),
        ],
    )
)


# ---- 五个好 (villages) -----------------------------------------------------------------------
def make_village_recognition(community, **fields):
    as_kind(community, "village")
    defaults = {"year": TWO_YEARS_AGO, "recognised": True}
    return VillageRecognitionFactory(community=community, **{**defaults, **fields})


case(
    RecordCase(
        slug="village-recognitions",
        make=make_village_recognition,
        body=lambda c: {
            "community": as_kind(c, "village").pk,
            "year": LAST_YEAR,
            "recognised": True,
            "note": "镇党委考核通过",
        },
        change={"note": "镇党委考核通过,材料齐全"},
        invalid=[
            ({"year": THIS_YEAR + 1}, "year"),
            ({"year": 1999}, "year"),
            ({"recognised": "maybe"}, "recognised"),
        ],
    )
)
