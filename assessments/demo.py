"""Demo record sets: every demo community gets a realistic, varied set of records.

Each community is given a profile, judged by the shipped editions in the current year:

- `model`: every auto indicator of its edition passes, so it reaches 示范 (a rural community 精品)
  once its evidence and site indicators are judged;
- `qualified`: every auto indicator of the lowest level passes and one or two of the model level's
  fail (no social-work certificate, no electronic screen, a missing talk, ...): 合格 (rural 规范);
- `gaps`: one or two lowest-level auto indicators fail, each for a reason a real town would
  recognise (a station too small, a fourth-quarter meeting without minutes, too few social
  organisations, a community under 2000 households, ...).

The profile and its shortfalls follow from the community alone (its town, name and facts), so they
are the same on every machine and can be recomputed (`profile_for`). Rows are written in bulk with
their history rows.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from communities.models import (
    Activity,
    Community,
    Disclosure,
    Meeting,
    MemberVillage,
    Organization,
    VillageRecognition,
    VolunteerRegistration,
)
from facilities.models import EnvironmentCheck, Facility
from funding.models import CadrePay, CapitalProject, OfficeFund, PlaqueContribution, WorkFund
from personnel.models import (
    Appraisal,
    BuildingLeader,
    Election,
    ElectionCandidate,
    Member,
    PartyMemberCase,
    ReserveCadre,
    ResidentsGroup,
    SubCommittee,
    Talk,
    Training,
)

# The community whose records reach 示范 once its evidence is judged: the demo journey's subject.
JOURNEY_COMMUNITY = "四十里集镇社区"

URBAN, RURAL, VILLAGE = Community.Kind.URBAN, Community.Kind.RURAL, Community.Kind.VILLAGE

# Shortfalls in a community's records, each named with the indicator it makes fail. `GAPS` keep a
# community below the lowest level (合格/规范), `MODEL_FAILS` below 示范.
GAPS = {
    URBAN: {
        "low_occupancy": "U-NEW",  # new residential areas only
        "fund_short": "U-FUND",
        "no_q4_meeting": "U-MEET",
        "no_minutes": "U-MEET",
        "four_subcommittees": "U-SUBC",
        "group_too_big": "U-GROUP",
        "seats_short": "U-SEATS",
        "part_time_committee": "U-FULLTIME",
        "untrained": "U-TRAIN",
        "no_q4_disclosure": "U-DISC",
        "small_station": "U-AREA",
        "missing_room": "U-ROOMS",
        "no_q3_party_meeting": "U-PARTY",
        "few_social_orgs": "U-SOCORG",
        "few_volunteers": "U-VOLREG",
        "few_activities": "U-VOLACT",
    },
    RURAL: {
        "scope_far": "R-SCOPE",
        "small_station": "R-AREA",
        "missing_rural_room": "R-8HAVE",
        "missing_function": "R-FUNC",
        "missing_hall_service": "R-HALL",
        "missing_center_station": "R-STATIONS",
        "five_ones_incomplete": "R-5YI",
    },
    VILLAGE: {
        "few_party_members": "V-BRANCH",
        "vc_size": "V-VC",
        "vc_not_direct": "V-DIRECT",
        "not_two_recommendations": "V-DIRECT",
        "untrained": "V-TRAIN",
        "no_audit_2": "V-APPRAISE",
        "case_60": "V-MEMBER",
        "no_party_members_2": "V-MEMBERAPPR",
    },
}
MODEL_FAILS = {
    URBAN: {
        "no_building_leaders": "U-BLDG",
        "no_certificate": "U-CERT",
        "indirect_election": "U-ELECT",
        "no_screen": "U-SCREEN",
        "no_units_meeting": "U-UNITS",
    },
    RURAL: {"no_party_org": "R-PARTY", "no_association": "R-ORGS", "no_cooperative": "R-ORGS"},
    VILLAGE: {"talk_missing_quarter": "V-TALK", "pay_wrong": "V-PAY"},
}
# The gaps towns meet most often: chosen twice as often as the others.
COMMON_GAPS = {"small_station", "no_q4_meeting", "no_minutes", "few_social_orgs"}
# Shortfalls of the community itself rather than of its records: they decide its profile.
FACTS = {
    "small_size": "U-SIZE",  # an ordinary or new residential community under 2000 households
    "small_new_area": "U-NEW",  # a new residential area under 3000 households
    "crowded_committee": "U-VISIT",  # over 5000 households: no committee of 7 seats looks after ≤500 each
    "bad_name": "R-NAME",  # not named 〈镇〉〈名〉社区
    "scope_population": "R-SCOPE",  # a population outside 3000–6000
}

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志红海燕春林永生德成亮晓东丹宁斌鹏飞凤琴云"
)
SOCIAL_ORGS = [
    "老年协会",
    "书画社",
    "合唱团",
    "舞蹈队",
    "太极拳协会",
    "读书会",
    "棋牌协会",
    "义务巡逻队",
    "邻里调解会",
    "青少年活动社",
    "家长学校",
    "健身队",
    "摄影协会",
    "戏曲社",
]

# Every minuted demo meeting shares one small, valid PDF (evidence is checked by its bytes).
MINUTES_FILE = "evidence/demo/minutes.pdf"


def _minutes_pdf() -> bytes:
    """A one-page PDF reading "Meeting minutes (demo)", with a correct cross-reference table."""
    text = b"BT /F1 18 Tf 72 760 Td (Meeting minutes \\(demo\\)) Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R>>",
        b"<</Length %d>>stream\n%s\nendstream" % (len(text), text),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# ---- profiles -------------------------------------------------------------------------------------


def committee_size(households: int) -> tuple[int, int]:
    """(seats, part-time members) of a residents' committee: seats by households (U-SEATS: one per
    500, half up, 5–7) and as many part-time members again as keep each member's households at 500 or
    fewer (U-VISIT), but never so many that full-time members fall under 2/3 (U-FULLTIME)."""
    seats = min(7, max(5, (households + 250) // 500))
    return seats, min(seats // 2, max(0, -(-households // 500) - seats))


def fact_shortfalls(community: Community) -> set[str]:
    """What the community's own facts keep it from, whatever its records (see `FACTS`)."""
    found = set()
    if community.kind == URBAN:
        if community.subtype in ("ordinary", "new_residential") and community.households < 2000:
            found.add("small_size")
        if community.subtype == "new_residential" and community.households < 3000:
            found.add("small_new_area")
        seats, part_time = committee_size(community.households)
        if community.households > 500 * (seats + part_time):
            found.add("crowded_committee")
    elif community.kind == RURAL:
        if not community.follows_rural_naming():
            found.add("bad_name")
        if not 3000 <= community.residents <= 6000:
            found.add("scope_population")
    return found


def _possible_gaps(community: Community) -> dict[str, str]:
    gaps = dict(GAPS[community.kind])
    if community.subtype != "new_residential":
        gaps.pop("low_occupancy", None)
    return gaps


def profile_for(community: Community) -> tuple[str, set[str]]:
    """The community's profile (`model`, `qualified` or `gaps`) and its shortfalls (codes of `GAPS`,
    `MODEL_FAILS` and `FACTS`). Decided by the community alone: its town, name, kind and size. The
    demo journey's community is always `model`."""
    rng = random.Random(f"{community.unit.name}/{community.name}")
    facts = fact_shortfalls(community)
    model_level = facts & {"crowded_committee"}  # U-VISIT is a 示范 indicator
    failing = {FACTS[code] for code in facts - model_level}
    roll = rng.random()
    profile = "model" if roll < 0.3 else "qualified" if roll < 0.6 else "gaps"
    if community.name == JOURNEY_COMMUNITY:
        profile = "model"
    if failing:
        profile = "gaps"
    elif model_level and profile == "model":
        profile = "qualified"
    if community.name == JOURNEY_COMMUNITY and profile != "model":
        raise ValueError(f"{community.name}的户数或名称使其达不到示范,无法作为演示路线的社区。")
    shortfalls = set(facts)
    if profile == "gaps":
        possible = _possible_gaps(community)
        wanted = rng.choice([1, 1, 2])
        while len(failing) < wanted:
            codes = sorted(code for code, indicator in possible.items() if indicator not in failing)
            code = rng.choices(codes, [2 if code in COMMON_GAPS else 1 for code in codes])[0]
            shortfalls.add(code)
            failing.add(possible[code])
    model_fails = sorted(MODEL_FAILS[community.kind])
    if profile == "qualified" and not model_level:
        shortfalls |= set(rng.sample(model_fails, rng.choice([1, 1, 2])))
    elif profile == "gaps":
        shortfalls |= set(rng.sample(model_fails, rng.randint(0, 2)))
    return profile, shortfalls


def community_facts(community: Community) -> dict:
    """Facts of a new community that the standards read and its profile decides: the party members
    of a village (V-BRANCH) and the occupancy of a new residential area (U-NEW)."""
    _, shortfalls = profile_for(community)
    rng = random.Random(f"{community.unit.name}/{community.name}/facts")
    facts = {}
    if community.kind == VILLAGE:
        facts["party_members"] = (
            rng.randint(4, 6) if "few_party_members" in shortfalls else rng.randint(12, 45)
        )
    if community.subtype == "new_residential":
        occupancy = rng.randint(30, 48) if "low_occupancy" in shortfalls else rng.randint(55, 96)
        facts["occupancy_percent"] = Decimal(occupancy)
    return facts


# ---- the record set -------------------------------------------------------------------------------


class RecordSet:
    """Builds communities' records for this year and last. Members and elections are written at once
    (other records refer to them); everything else is kept and written by `finish()` in a few bulk
    statements for the whole city."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.user = None
        self.rows: dict[type, list] = {}
        self.today = timezone.localdate()
        self.year = self.today.year
        self.used_names: set[str] = set()
        self.split_towns: set[int] = set()  # towns with a village whose secretary is not its director
        self._minutes = None

    # -- helpers -------------------------------------------------------------------------------------
    def add(self, obj):
        obj._history_user = self.user  # the history row names the town's clerk, or nobody
        self.rows.setdefault(type(obj), []).append(obj)
        return obj

    def name(self) -> str:
        """A person's name, not yet used in the community (persons are matched by name)."""
        while True:
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(GIVEN) for _ in range(self.rng.choice([1, 2]))
            )
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def day(self, year: int, quarter: int) -> date:
        """A day in the quarter, never later than yesterday (today on the year's first day)."""
        start = date(year, 3 * quarter - 2, 1)
        latest = min(date(year, 3 * quarter, 28), self.today - timedelta(days=1))
        chosen = start + timedelta(days=self.rng.randint(0, max((latest - start).days, 0)))
        return min(chosen, self.today)

    @property
    def minutes(self) -> str:
        """The stored minutes file, written once (a later run finds it in place)."""
        if self._minutes is None:
            if default_storage.exists(MINUTES_FILE):
                self._minutes = MINUTES_FILE
            else:
                self._minutes = default_storage.save(MINUTES_FILE, ContentFile(_minutes_pdf()))
        return self._minutes

    def flush(self, models_in_order):
        for model in models_in_order:
            rows = self.rows.pop(model, [])
            if rows:
                bulk_create_with_history(rows, model, batch_size=1000)

    def finish(self):
        self.flush(list(self.rows))

    # -- the record set ------------------------------------------------------------------------------
    def build(self, community: Community, profile: str, shortfalls: set[str], user=None):
        self.user = user
        self.used_names = set()
        model = profile == "model"
        if community.kind == VILLAGE:
            members = self.village_members(community, profile, shortfalls)
        else:
            members = self.committee(community, model, shortfalls)
        self.flush([Member])  # members get their ids: sub-committees, trainings and pay refer to them
        committee = [
            m for m in members if m.body in (Member.Body.RESIDENTS_COMMITTEE, Member.Body.VILLAGERS_COMMITTEE)
        ]
        if community.kind == VILLAGE:
            self.village_trainings(community, members, shortfalls)
            self.village_elections(community, members, shortfalls)
            self.village_work(community, members, shortfalls)
        else:
            self.trainings(community, members, shortfalls)
            direct = "indirect_election" not in shortfalls
            self.election(community, committee, Member.Body.RESIDENTS_COMMITTEE, direct=direct)
            self.subcommittees(community, committee, 4 if "four_subcommittees" in shortfalls else 5)
            self.groups_and_buildings(community, shortfalls)
            self.facility(community, model, shortfalls)
        self.meetings(community, model, shortfalls)
        self.disclosures(community, "no_q4_disclosure" in shortfalls)
        social = 6 if "few_social_orgs" in shortfalls else (12 if model else 10)
        self.organizations(community, social, shortfalls)
        self.volunteering(
            community,
            0.06 if "few_volunteers" in shortfalls else (0.14 if model else 0.11),
            few_activities="few_activities" in shortfalls,
        )
        self.funds(community, members, short="fund_short" in shortfalls)
        for _ in range(self.rng.randint(1, 2)):
            self.add(
                ReserveCadre(
                    community=community,
                    name=self.name(),
                    birth_year=self.rng.randint(1985, 1998),
                    education=self.rng.choice(["大专", "本科"]),
                    since=date(self.year - 1, 9, 1),
                )
            )

    # -- urban and rural: the residents' committee ---------------------------------------------------
    def committee(self, community, model: bool, shortfalls: set[str]) -> list[Member]:
        seats, part_time = committee_size(community.households)
        full_time = seats
        if "seats_short" in shortfalls:  # a seat left to a part-time member (U-SEATS)
            full_time, part_time = seats - 1, 1
        elif "part_time_committee" in shortfalls:  # too many part-time members (U-FULLTIME)
            part_time = seats // 2 + 1
        roles = ["director", "deputy_director"] + ["member"] * (full_time + part_time - 2)
        since = date(1995, 1, 1)
        certificate = None if "no_certificate" in shortfalls else 1
        members = []
        for index, role in enumerate(roles):
            members.append(
                self.add(
                    Member(
                        community=community,
                        name=self.name(),
                        body=Member.Body.RESIDENTS_COMMITTEE,
                        role=role,
                        full_time=index < full_time,
                        resident_since=since + timedelta(days=self.rng.randint(0, 6000)),
                        phone=f"13{self.rng.randint(100000000, 999999999)}",
                        elected=True,
                        social_worker_certificate=index == certificate,
                        pay_type=Member.PayType.FIXED if index < full_time else Member.PayType.PER_DAY,
                    )
                )
            )
        director = members[0]
        if "no_party_org" not in shortfalls:
            members.append(
                self.add(
                    Member(  # the director also leads the party organisation (cross-appointed)
                        community=community,
                        name=director.name,
                        body=Member.Body.PARTY_ORGANIZATION,
                        role=Member.Role.SECRETARY,
                        full_time=True,
                        resident_since=director.resident_since,
                        phone=director.phone,
                        elected=True,
                    )
                )
            )
        for _ in range(3 if community.households < 3000 else 4):
            members.append(
                self.add(
                    Member(
                        community=community,
                        name=self.name(),
                        body=Member.Body.SERVICE_STATION,
                        role=Member.Role.STAFF,
                        full_time=True,
                        elected=False,
                    )
                )
            )
        return members

    def trainings(self, community, members, shortfalls: set[str]):
        """District trainings this year: the director once, every other member twice (U-TRAIN)."""
        committee = [m for m in members if m.body == Member.Body.RESIDENTS_COMMITTEE]
        untrained = self.rng.choice(committee[1:]) if "untrained" in shortfalls else None
        for member in members:
            if member.body == Member.Body.SERVICE_STATION:
                continue
            lead = member.role in ("director", "secretary")
            for _ in range(1 if lead or member is untrained else 2):
                self.add(
                    Training(
                        community=community,
                        trainee=member,
                        trainee_name=member.name,
                        organiser_tier="district",
                        held_on=self.day(self.year, self.rng.randint(1, 3)),
                        days=Decimal(2),
                        topic="社区工作实务培训",
                    )
                )

    def election(self, community, committee, body: str, direct: bool):
        held = date(self.year - 2, 5, self.rng.randint(8, 28))
        election = self.add(
            Election(
                community=community,
                body=body,
                held_on=held,
                direct=direct,
                method="direct" if direct else "representatives",
                voters=int(community.residents * 0.7),
                turnout_percent=Decimal("86.5"),
                election_committee_size=7,
            )
        )
        self.flush([Election])
        for member in committee:
            self.add(
                ElectionCandidate(
                    community=community,
                    election=election,
                    name=member.name,
                    resident_since=member.resident_since or date(2000, 1, 1),
                    elected=True,
                )
            )

    def subcommittees(self, community, committee, count: int):
        kinds = ["mediation", "security", "public_health", "family_planning", "culture"][:count]
        for index, kind in enumerate(kinds):
            self.add(
                SubCommittee(
                    community=community,
                    kind=kind,
                    leader=committee[index % len(committee)],
                    resident_representatives=self.rng.randint(3, 5),
                )
            )

    def groups_and_buildings(self, community, shortfalls: set[str]):
        groups = max(community.households // 250, 1)
        too_big = self.rng.randrange(groups) if "group_too_big" in shortfalls else None
        for number in range(groups):
            self.add(
                ResidentsGroup(
                    community=community,
                    name=f"第{number + 1}居民小组",
                    households=self.rng.randint(330, 420)
                    if number == too_big
                    else self.rng.randint(200, 300),
                    leader_name=self.name(),
                    leader_elected_by_group=True,
                    term_start=date(self.year - 2, 6, 1),
                    term_end=date(self.year + 3, 5, 31),
                )
            )
        if "no_building_leaders" in shortfalls:
            return
        for number in range(community.households // 25):
            self.add(
                BuildingLeader(
                    community=community,
                    name=self.name(),
                    building=f"{number // 6 + 1}号楼{number % 6 + 1}单元",
                    households=self.rng.randint(20, 30),
                )
            )

    def _all_but(self, codes, shortfall: str, shortfalls: set[str]) -> list[str]:
        codes = [code[0] if isinstance(code, tuple) else code for code in codes]
        if shortfall in shortfalls:
            codes.remove(self.rng.choice(codes))
        return codes

    def facility(self, community, model: bool, shortfalls: set[str]):
        rural = community.kind == RURAL
        small = "small_station" in shortfalls
        area = Decimal(
            self.rng.randint(420, 480)
            if small and rural
            else self.rng.randint(260, 290)
            if small
            else self.rng.randint(520, 900)
            if rural
            else self.rng.randint(320, 620)
        )
        facility = Facility(
            community=community,
            kind="service_center" if rural else "service_station",
            name=f"{community.name}{'服务中心' if rural else '服务站'}",
            address=community.address,
            area_m2=area,
            activity_area_m2=(area * 2 / 3 + 10).quantize(Decimal("1")),
            publicity_boards=1,
            disclosure_boards=2,
            electronic_screen="no_screen" not in shortfalls,
            has_yard_or_square=rural,
            procedures_posted=True,
            equipment="电脑2台、打印机1台、扫描仪1台",
            plaques=["party_org", "residents_committee", "service_center", "service_station"],
        )
        field = Facility._meta.get_field
        if rural:
            rooms = [
                "service_hall",
                "meeting_room",
                "activity_room",
                "reading_room",
                "family_planning_room",
                "police_room",
                "clinic",
                "shop",
            ]
            facility.rooms = self._all_but(rooms, "missing_rural_room", shortfalls)
            facility.one_stop_services = self._all_but(
                field("one_stop_services").item_choices, "missing_hall_service", shortfalls
            )
            facility.stations = self._all_but(
                field("stations").item_choices, "missing_center_station", shortfalls
            )
            facility.functions = self._all_but(
                field("functions").item_choices, "missing_function", shortfalls
            )
            facility.rural_boards = ["community_affairs", "village_affairs", "science"]
            five_ones = ["paved_street", "night_lighting", "publicity_wall", "sports_square", "green_space"]
            self.add(
                EnvironmentCheck(
                    community=community,
                    year=self.year,
                    four_links=["road", "water", "power", "information"],
                    five_improvements=["hardened", "clean", "green", "lit", "beautified"]
                    if model
                    else ["hardened", "clean"],
                    five_ones=self.rng.sample(five_ones, 3)
                    if "five_ones_incomplete" in shortfalls
                    else five_ones,
                )
            )
            count = self.rng.randint(5, 8)
            far = self.rng.randrange(count) if "scope_far" in shortfalls else None
            names = set()
            while len(names) < count:
                names.add(f"{self.rng.choice(SURNAMES)}家{self.rng.choice('庄屯洼沟岭坪')}")
            for index, name in enumerate(sorted(names)):
                self.add(
                    MemberVillage(
                        community=community,
                        name=name,
                        distance_km=Decimal(
                            self.rng.randint(35, 60) if index == far else self.rng.randint(5, 30)
                        )
                        / 10,
                        population=self.rng.randint(400, 900),
                    )
                )
        else:
            rooms = [
                "service_hall",
                "activity_room",
                "council_room",
                "library_archive",
                "rights_room",
                "police_room",
            ]
            facility.rooms = self._all_but(rooms, "missing_room", shortfalls)
            facility.windows = [code for code, _ in field("windows").item_choices]
        self.add(facility)

    # -- every kind: community life ------------------------------------------------------------------
    def meeting(self, community, kind: str, held_on: date, topic: str, minutes: bool, **fields):
        return self.add(
            Meeting(
                community=community,
                kind=kind,
                held_on=held_on,
                topic=topic,
                minutes=self.minutes if minutes else "",
                **fields,
            )
        )

    def meetings(self, community, model: bool, shortfalls: set[str]):
        village = community.kind == VILLAGE
        general = "villagers" if village else "residents"
        joint = "two_committees" if village else "party_joint"
        for year in (self.year - 1, self.year):
            this_year = year == self.year
            self.meeting(
                community,
                general,
                self.day(year, 1),
                "年度工作计划",
                minutes=True,
                attendees=self.rng.randint(60, 200),
                decisions="通过年度工作计划",
            )
            if not (this_year and "no_q4_meeting" in shortfalls):
                self.meeting(
                    community,
                    general,
                    self.day(year, 4),
                    "年度工作总结",
                    minutes=not (this_year and "no_minutes" in shortfalls),  # minutes not yet filed
                    attendees=self.rng.randint(60, 200),
                    decisions="通过年度工作总结",
                )
            for quarter in range(1, 5):
                if this_year and quarter == 3 and "no_q3_party_meeting" in shortfalls:
                    continue
                self.meeting(
                    community, joint, self.day(year, quarter), "季度工作联席会议", self.rng.random() < 0.7
                )
            if village:
                continue
            self.meeting(community, "consultation", self.day(year, 2), "小区停车管理议事", True)
            if community.kind == URBAN and "no_units_meeting" not in shortfalls:
                self.meeting(community, "units_joint", self.day(year, 3), "驻区单位共建", True)
            if model:
                self.meeting(community, "hearing", self.day(year, 2), "老旧小区改造听证", True)

    def disclosures(self, community, no_q4: bool):
        for year in (self.year - 1, self.year):
            for quarter in range(1, 5):
                if no_q4 and year == self.year and quarter == 4:
                    continue
                self.add(
                    Disclosure(
                        community=community,
                        published_on=self.day(year, quarter),
                        topics=["plans", "work", "finances", "major"],
                        channel="board",
                    )
                )

    def organizations(self, community, social: int, shortfalls: set[str]):
        village = community.kind == VILLAGE
        names = self.rng.sample(SOCIAL_ORGS, min(social, len(SOCIAL_ORGS)))
        for name in names[: 3 if village else social]:
            self.add(
                Organization(
                    community=community,
                    kind="social",
                    name=f"{community.name}{name}",
                    members_count=self.rng.randint(15, 80),
                    hangs_plaque=self.rng.random() < 0.3,
                )
            )
        self.add(
            Organization(
                community=community,
                kind="volunteer",
                name=f"{community.name}志愿服务队",
                members_count=self.rng.randint(30, 120),
            )
        )
        if community.kind == URBAN:
            return
        if "no_cooperative" not in shortfalls:
            self.add(
                Organization(community=community, kind="cooperative", name=f"{community.name}农民专业合作社")
            )
        if "no_association" not in shortfalls:
            self.add(
                Organization(community=community, kind="association", name=f"{community.name}老年人协会")
            )

    def volunteering(self, community, share: float, few_activities: bool):
        for year in (self.year - 1, self.year):
            self.add(
                VolunteerRegistration(
                    community=community, year=year, registered=int(community.residents * share)
                )
            )
            quarters = (1, 2, 3, 4) if few_activities and year == self.year else (1, 2, 2, 3, 3, 4, 4)
            for quarter in quarters:
                self.add(
                    Activity(
                        community=community,
                        kind=self.rng.choice(["volunteer", "mutual_aid"]),
                        held_on=self.day(year, quarter),
                        title=self.rng.choice(
                            ["邻里互助日", "环境卫生整治", "关爱空巢老人", "义诊进社区", "文明劝导"]
                        ),
                        participants=self.rng.randint(20, 90),
                    )
                )

    # -- villages: the two committees and their work -------------------------------------------------
    def village_members(self, community, profile: str, shortfalls: set[str]) -> list[Member]:
        """The party branch and the villagers' committee, cross-appointed (V-BRANCH, V-VC, V-TWO,
        V-CROSS); in most villages the secretary is also the director ("一人兼", V-ONE)."""
        large = community.residents >= 1000
        committee_size, branch_size = (5, 4) if large else (3, 3)
        if "vc_size" in shortfalls:  # one seat too few (large) or too many (small; its branch grown to match)
            committee_size += -1 if large else 1
            branch_size = max(branch_size, committee_size)
        # At most one village a town keeps its secretary and director apart: the town stays "一人兼".
        one_person = not (
            profile != "model" and community.unit_id not in self.split_towns and self.rng.random() < 0.3
        )
        if not one_person:
            self.split_towns.add(community.unit_id)
        persons = [self.name() for _ in range(max(branch_size, committee_size))]
        branch = [(persons[0], "secretary"), (persons[1], "member" if one_person else "deputy_secretary")]
        branch += [(name, "member") for name in persons[2:branch_size]]
        leader, other = (persons[0], persons[1]) if one_person else (persons[1], persons[0])
        committee = [(leader, "director")] + [(other, "member")]
        committee += [(name, "member") for name in persons[2:committee_size]]
        committee[-1] = (committee[-1][0], "accountant")
        fixed = {name for name, role in branch + committee if role in ("secretary", "director", "accountant")}
        wrong_pay = self.rng.choice(persons[:committee_size]) if "pay_wrong" in shortfalls else None
        since = {name: date(1965, 1, 1) + timedelta(days=self.rng.randint(0, 14000)) for name in persons}
        members = []
        for body, people in (
            (Member.Body.PARTY_BRANCH, branch),
            (Member.Body.VILLAGERS_COMMITTEE, committee),
        ):
            for name, role in people:
                paid_fixed = (name in fixed) != (name == wrong_pay)  # one person, one kind of pay (V-PAY)
                members.append(
                    self.add(
                        Member(
                            community=community,
                            name=name,
                            body=body,
                            role=role,
                            full_time=role != "member",
                            resident_since=since[name],
                            elected=True,
                            pay_type=Member.PayType.FIXED if paid_fixed else Member.PayType.PER_DAY,
                        )
                    )
                )
        return members

    def village_trainings(self, community, members, shortfalls: set[str]):
        """This year's training per cadre: 7 days for the secretary and the director, 3 for the others,
        with two practical techniques (V-TRAIN)."""
        leaders = {m.name for m in members if m.role in ("secretary", "director")}
        people = {}
        for member in members:
            people.setdefault(member.name, member)
        others = [name for name in people if name not in leaders]
        untrained = self.rng.choice(others) if "untrained" in shortfalls else None
        for name, member in people.items():
            days = 7 if name in leaders else (2 if name == untrained else 3)
            self.add(
                Training(
                    community=community,
                    trainee=member,
                    trainee_name=name,
                    organiser_tier="district",
                    held_on=self.day(self.year, self.rng.randint(1, 3)),
                    days=Decimal(days),
                    topic="村干部素质能力提升培训",
                    practical_techniques=2,
                )
            )

    def village_elections(self, community, members, shortfalls: set[str]):
        """The villagers' committee's direct election and the branch's 两推一选 (V-DIRECT), both of
        an earlier year, their candidates' notice a week or two before (V-NOTICE)."""
        committee = [m for m in members if m.body == Member.Body.VILLAGERS_COMMITTEE]
        branch = [m for m in members if m.body == Member.Body.PARTY_BRANCH]
        self.election(
            community, committee, Member.Body.VILLAGERS_COMMITTEE, "vc_not_direct" not in shortfalls
        )
        held = date(self.year - 2, 4, self.rng.randint(8, 28))
        election = self.add(
            Election(
                community=community,
                body=Member.Body.PARTY_BRANCH,
                held_on=held,
                direct=False,
                method="other" if "not_two_recommendations" in shortfalls else "two_recommendations",
                voters=community.party_members or len(branch),
                election_committee_size=3,
            )
        )
        self.flush([Election])
        for member in branch:
            self.add(
                ElectionCandidate(
                    community=community,
                    election=election,
                    name=member.name,
                    resident_since=member.resident_since,
                    elected=True,
                    notice_started_on=held - timedelta(days=self.rng.randint(7, 14)),
                )
            )

    def village_work(self, community, members, shortfalls: set[str]):
        quarters = [1, 2, 3, 4]
        if "talk_missing_quarter" in shortfalls:
            quarters.remove(self.rng.choice(quarters))
        for quarter in quarters:
            self.add(
                Talk(
                    community=community,
                    held_on=self.day(self.year, quarter),
                    township_leader=self.name(),
                    village_leaders="、".join(m.name for m in members[:2]),
                    topic="村级重点工作谈心谈话",
                )
            )
        skipped = {("audit", 2) if "no_audit_2" in shortfalls else None}
        skipped.add(("party_members", 2) if "no_party_members_2" in shortfalls else None)
        for half in (1, 2):
            for subject in ("cadres", "party_members", "audit"):
                if (subject, half) in skipped:
                    continue
                self.add(
                    Appraisal(
                        community=community,
                        year=self.year,
                        half=half,
                        subject=subject,
                        held_on=self.day(self.year, 2 if half == 1 else 4),
                        participants=self.rng.randint(20, 60),
                    )
                )
        recognised = self.rng.random() < 0.85
        confirmed = recognised and self.rng.random() < 0.9  # a few still wait for the district
        self.add(
            VillageRecognition(
                community=community, year=self.year, recognised=recognised, confirmed_by_district=confirmed
            )
        )
        notice = self.day(self.year, 2)
        self.add(
            PartyMemberCase(
                community=community,
                name=self.name(),
                appraisal_approval_percent=Decimal("60.00") if "case_60" in shortfalls else Decimal("78.5"),
                exam_passed=True,
                notice_start=notice,
                notice_end=notice + timedelta(days=7),
            )
        )

    # -- funds ---------------------------------------------------------------------------------------
    def funds(self, community, members, short: bool):
        if community.kind == RURAL:
            project = CapitalProject(
                community=community,
                name=f"{community.name}服务中心新建工程",
                cost=Decimal("900000"),
                state_project=Decimal("400000"),
                organization_department=Decimal("200000"),
                budget=Decimal("250000"),
            )
            project.compute()
            self.add(project)
        for org in [
            row for row in self.rows.get(Organization, []) if row.community is community and row.hangs_plaque
        ]:
            self.add(
                PlaqueContribution(
                    community=community,
                    year=self.year,
                    organization_name=org.name,
                    amount=Decimal(self.rng.choice([500, 800, 1000])),
                    practical_things=self.rng.randint(1, 2),
                )
            )
        for year in (self.year - 1, self.year):
            self.add(OfficeFund(community=community, year=year, amount=Decimal("20000"), source="区级财政"))
            if community.kind != URBAN:
                continue  # the work-fund tiers are the urban standard's (U-FUND)
            fund = WorkFund(community=community, year=year, paid=Decimal(0), paid_on=self.day(year, 2))
            fund.compute()
            fund.paid = fund.due - (Decimal("10000") if short and year == self.year else 0)
            self.add(fund)
        for member in members:
            if member.role in ("secretary", "director") and member.body != Member.Body.PARTY_ORGANIZATION:
                pay = CadrePay(
                    community=community,
                    year=self.year,
                    member=member,
                    post="secretary_or_director",
                    monthly_pay=Decimal("1500"),
                )
                pay.compute()
                self.add(pay)
