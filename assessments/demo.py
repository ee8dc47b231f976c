"""Demo record sets: every demo community gets a realistic, varied set of records.

Each community is given a profile. `model` communities keep every record the standards ask for;
`qualified` ones lack only what the 示范 (model) level adds; the others fall short in one or two
ways a real town would recognise (a station too small, a missing fourth-quarter meeting, too few
social organisations, ...). Rows are written in bulk with their history rows.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

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

GAPS = [
    "small_station",
    "no_q4_meeting",
    "few_social_orgs",
    "few_volunteers",
    "four_subcommittees",
    "no_q4_disclosure",
    "part_time_committee",
]
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


def profile_for(community: Community, rng: random.Random, favourite: bool) -> tuple[str, set[str]]:
    """The demo journey's community reaches 示范 once its evidence is judged; the rest vary."""
    if favourite:
        return "model", set()
    roll = rng.random()
    if roll < 0.3:
        return "model", set()
    if roll < 0.55:
        return "qualified", set()
    return "gaps", set(rng.sample(GAPS, rng.choice([1, 1, 2])))


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

    # -- helpers -------------------------------------------------------------------------------------
    def add(self, obj):
        obj._history_user = self.user  # the history row names the town's clerk, or nobody
        self.rows.setdefault(type(obj), []).append(obj)
        return obj

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(GIVEN) for _ in range(self.rng.choice([1, 2]))
        )

    def day(self, year: int, quarter: int) -> date:
        start = date(year, 3 * quarter - 2, 1)
        latest = min(date(year, 3 * quarter, 28), self.today - timedelta(days=1))
        return start + timedelta(days=self.rng.randint(0, max((latest - start).days, 0)))

    def flush(self, models_in_order):
        for model in models_in_order:
            rows = self.rows.pop(model, [])
            if rows:
                bulk_create_with_history(rows, model, batch_size=1000)

    def finish(self):
        self.flush(list(self.rows))

    # -- the record set ------------------------------------------------------------------------------
    def build(self, community: Community, profile: str, gaps: set[str], user=None):
        self.user = user
        model = profile == "model"
        if community.kind == Community.Kind.VILLAGE:
            members = self.village_members(community)
        else:
            members = self.committee(community, model, "part_time_committee" in gaps)
        self.flush([Member])  # members get their ids: sub-committees, trainings and pay refer to them
        committee = [
            m for m in members if m.body in (Member.Body.RESIDENTS_COMMITTEE, Member.Body.VILLAGERS_COMMITTEE)
        ]
        self.trainings(community, members)
        self.election(community, committee, direct=model or community.kind == Community.Kind.VILLAGE)
        if community.kind == Community.Kind.VILLAGE:
            self.village_work(community, members)
        else:
            self.subcommittees(community, committee, 4 if "four_subcommittees" in gaps else 5)
            self.groups_and_buildings(community, model)
            self.facility(community, model, "small_station" in gaps)
        self.meetings(community, model, "no_q4_meeting" in gaps)
        self.disclosures(community, "no_q4_disclosure" in gaps)
        self.organizations(community, 6 if "few_social_orgs" in gaps else (12 if model else 10))
        self.volunteering(community, 0.06 if "few_volunteers" in gaps else (0.14 if model else 0.11))
        self.funds(community, members, short=profile == "gaps" and self.rng.random() < 0.3)
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

    def committee(self, community, model: bool, part_time: bool) -> list[Member]:
        seats = min(7, max(5, int(Decimal(community.households) / 500 + Decimal("0.5"))))
        roles = ["director", "deputy_director"] + ["member"] * (seats - 2)
        since = date(1995, 1, 1)
        members = []
        for index, role in enumerate(roles):
            full_time = index < (seats // 2 if part_time else seats - 1)
            members.append(
                self.add(
                    Member(
                        community=community,
                        name=self.name(),
                        body=Member.Body.RESIDENTS_COMMITTEE,
                        role=role,
                        full_time=full_time,
                        resident_since=since + timedelta(days=self.rng.randint(0, 6000)),
                        phone=f"13{self.rng.randint(100000000, 999999999)}",
                        elected=True,
                        social_worker_certificate=model and index == 1,
                        pay_type=Member.PayType.FIXED,
                    )
                )
            )
        director = members[0]
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

    def village_members(self, community) -> list[Member]:
        size = 5 if community.residents >= 1000 else 3
        secretary = self.name()
        one_person = self.rng.random() < 0.7  # "一人兼": the secretary is also the director
        branch = [(secretary, "secretary"), (self.name(), "member"), (self.name(), "member")]
        committee = [(secretary if one_person else self.name(), "director")]
        committee += [(branch[1][0], "member")] + [(self.name(), "member") for _ in range(size - 3)]
        committee.append((self.name(), "accountant"))
        members = []
        for body, people in (
            (Member.Body.PARTY_BRANCH, branch),
            (Member.Body.VILLAGERS_COMMITTEE, committee),
        ):
            for name, role in people:
                members.append(
                    self.add(
                        Member(
                            community=community,
                            name=name,
                            body=body,
                            role=role,
                            full_time=role != "member",
                            resident_since=date(1980, 1, 1) + timedelta(days=self.rng.randint(0, 9000)),
                            elected=True,
                            pay_type=Member.PayType.FIXED
                            if role in ("secretary", "director", "accountant")
                            else Member.PayType.PER_DAY,
                        )
                    )
                )
        return members

    def trainings(self, community, members):
        for member in members:
            if member.body == Member.Body.SERVICE_STATION:
                continue
            lead = member.role in ("director", "secretary")
            village = community.kind == Community.Kind.VILLAGE
            sessions = 1 if lead or village else 2
            for _ in range(sessions):
                self.add(
                    Training(
                        community=community,
                        trainee=member,
                        trainee_name=member.name,
                        organiser_tier="district",
                        held_on=self.day(self.year, self.rng.randint(1, 3)),
                        days=Decimal(7 if village and lead else (3 if village else 2)),
                        topic="社区工作实务培训",
                        practical_techniques=2 if village else 0,
                    )
                )

    def election(self, community, committee, direct: bool):
        village = community.kind == Community.Kind.VILLAGE
        held = date(self.year - 2, 5, self.rng.randint(8, 28))
        election = self.add(
            Election(
                community=community,
                body=Member.Body.VILLAGERS_COMMITTEE if village else Member.Body.RESIDENTS_COMMITTEE,
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

    def groups_and_buildings(self, community, model: bool):
        for number in range(max(community.households // 250, 1)):
            self.add(
                ResidentsGroup(
                    community=community,
                    name=f"第{number + 1}居民小组",
                    households=self.rng.randint(200, 300),
                    leader_name=self.name(),
                    leader_elected_by_group=True,
                    term_start=date(self.year - 2, 6, 1),
                    term_end=date(self.year + 3, 5, 31),
                )
            )
        if model:
            for number in range(community.households // 25):
                self.add(
                    BuildingLeader(
                        community=community,
                        name=self.name(),
                        building=f"{number // 6 + 1}号楼{number % 6 + 1}单元",
                        households=self.rng.randint(20, 30),
                    )
                )

    def facility(self, community, model: bool, small: bool):
        rural = community.kind == Community.Kind.RURAL
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
            electronic_screen=model,
            has_yard_or_square=rural,
            procedures_posted=True,
            equipment="电脑2台、打印机1台、扫描仪1台",
            plaques=["party_org", "residents_committee", "service_center", "service_station"],
        )
        if rural:
            facility.rooms = [
                "service_hall",
                "meeting_room",
                "activity_room",
                "reading_room",
                "family_planning_room",
                "police_room",
                "clinic",
                "shop",
            ]
            facility.one_stop_services = [
                code for code, _ in Facility._meta.get_field("one_stop_services").item_choices
            ]
            facility.stations = [code for code, _ in Facility._meta.get_field("stations").item_choices]
            facility.functions = [code for code, _ in Facility._meta.get_field("functions").item_choices]
            facility.rural_boards = ["community_affairs", "village_affairs", "science"]
            self.add(
                EnvironmentCheck(
                    community=community,
                    year=self.year,
                    four_links=["road", "water", "power", "information"],
                    five_improvements=["hardened", "clean", "green", "lit", "beautified"]
                    if model
                    else ["hardened", "clean"],
                    five_ones=[
                        "paved_street",
                        "night_lighting",
                        "publicity_wall",
                        "sports_square",
                        "green_space",
                    ],
                )
            )
            for index in range(self.rng.randint(5, 8)):
                self.add(
                    MemberVillage(
                        community=community,
                        name=f"{self.rng.choice(SURNAMES)}家{'庄屯洼沟'[index % 4]}",
                        distance_km=Decimal(self.rng.randint(5, 30)) / 10,
                        population=self.rng.randint(400, 900),
                    )
                )
        else:
            facility.rooms = [
                "service_hall",
                "activity_room",
                "council_room",
                "library_archive",
                "rights_room",
                "police_room",
            ]
            facility.windows = [code for code, _ in Facility._meta.get_field("windows").item_choices]
        self.add(facility)

    def meetings(self, community, model: bool, no_q4: bool):
        village = community.kind == Community.Kind.VILLAGE
        for year in (self.year - 1, self.year):
            general = "villagers" if village else "residents"
            self.add(
                Meeting(
                    community=community,
                    kind=general,
                    held_on=self.day(year, 1),
                    topic="年度工作计划",
                    attendees=self.rng.randint(60, 200),
                    decisions="通过年度工作计划",
                )
            )
            if not (no_q4 and year == self.year):
                self.add(
                    Meeting(
                        community=community,
                        kind=general,
                        held_on=self.day(year, 4),
                        topic="年度工作总结",
                        attendees=self.rng.randint(60, 200),
                        decisions="通过年度工作总结",
                    )
                )
            joint = "two_committees" if village else "party_joint"
            for quarter in range(1, 5):
                self.add(
                    Meeting(
                        community=community,
                        kind=joint,
                        held_on=self.day(year, quarter),
                        topic="季度工作联席会议",
                    )
                )
            if not village:
                self.add(
                    Meeting(
                        community=community,
                        kind="consultation",
                        held_on=self.day(year, 2),
                        topic="小区停车管理议事",
                    )
                )
                if model:
                    self.add(
                        Meeting(
                            community=community,
                            kind="units_joint",
                            held_on=self.day(year, 3),
                            topic="驻区单位共建",
                        )
                    )
                    self.add(
                        Meeting(
                            community=community,
                            kind="hearing",
                            held_on=self.day(year, 2),
                            topic="老旧小区改造听证",
                        )
                    )

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

    def organizations(self, community, social: int):
        village = community.kind == Community.Kind.VILLAGE
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
        if community.kind != Community.Kind.URBAN:
            self.add(
                Organization(community=community, kind="cooperative", name=f"{community.name}农民专业合作社")
            )
            self.add(
                Organization(community=community, kind="association", name=f"{community.name}老年人协会")
            )

    def volunteering(self, community, share: float):
        for year in (self.year - 1, self.year):
            self.add(
                VolunteerRegistration(
                    community=community, year=year, registered=int(community.residents * share)
                )
            )
            for quarter in (1, 2, 2, 3, 3, 4, 4):
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

    def village_work(self, community, members):
        for quarter in range(1, 5):
            self.add(
                Talk(
                    community=community,
                    held_on=self.day(self.year, quarter),
                    township_leader=self.name(),
                    village_leaders="、".join(m.name for m in members[:2]),
                    topic="村级重点工作谈心谈话",
                )
            )
        for half in (1, 2):
            for subject in ("cadres", "party_members", "audit"):
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
        self.add(VillageRecognition(community=community, year=self.year, recognised=self.rng.random() < 0.85))
        notice = self.day(self.year, 2)
        self.add(
            PartyMemberCase(
                community=community,
                name=self.name(),
                appraisal_approval_percent=Decimal("78.5"),
                exam_passed=True,
                notice_start=notice,
                notice_end=notice + timedelta(days=7),
            )
        )

    def funds(self, community, members, short: bool):
        if community.kind == Community.Kind.RURAL:
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
            if community.kind != Community.Kind.URBAN:
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
