"""The realistic city: community profiles (which gaps a community has) and every community's record
set, built through `demo.factories`. The demo (`seed_demo`), the benchmarks and the drills all make
their communities here.

A community is planned first (`Plan`): its kind, subtype and size, and a profile judged by the shipped
scoring sheets in the plan's year, once its evidence and site items are judged at full marks:

- `model`: no gap: the top level (示范, a rural community 精品);
- `middle` (rural only): a 精品 veto fails (R-STATIONS, R-5YI): 示范;
- `qualified`: the lowest level only: urban and village communities lose 12 to 26 points on items
  that are no veto (`*_LOSSES`: no building leaders, a smaller station, fewer volunteers, a branch
  too big, ...), rural ones fail a 示范 veto (R-8HAVE, R-HALL);
- `gaps`: a veto of the lowest level fails (`VETO_GAPS`), each for a reason a real town would
  recognise (a fourth-quarter meeting without minutes, a centre too small, ...), other gaps besides.

`choose_profile` and `size` decide the plan, under a `Policy`: the benchmarks' (`BENCH`: up to three
veto gaps and five others out of all of them) or the demo's (`DEMO`: one or two veto gaps, at most
two others, the common gaps twice as often, a plan recomputable from the community alone:
`profile_for`). `Records` then builds the plan's rows as the factories make them (`fast_build`) and
writes them in bulk: without history rows for the benchmarks (`CityGenerator`, thousands of
communities in forked processes), with them for the demo.
"""

import math
import multiprocessing
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from communities.measures import VILLAGE_DISCLOSURE_TOPICS
from communities.models import Community
from facilities.models import (
    FIVE_IMPROVEMENTS,
    FIVE_NOS_FIVE_UPGRADES,
    FIVE_ONES,
    FOUR_LINKS,
    FUNCTIONS,
    ONE_STOP_SERVICES,
    PLAQUES,
    RURAL_BOARDS,
    RURAL_ROOMS,
    STATIONS,
    URBAN_ROOMS,
    WINDOWS,
)
from funding.services import district_share, pay_benchmarks, work_fund_due
from personnel.models import Election, Member

from .factories import (
    ActivityFactory,
    AppraisalFactory,
    BuildingLeaderFactory,
    CadrePayFactory,
    CapitalProjectFactory,
    CityFactory,
    CommunityFactory,
    DisclosureFactory,
    DistrictFactory,
    ElectionCandidateFactory,
    ElectionFactory,
    EnvironmentCheckFactory,
    FacilityFactory,
    MeetingFactory,
    MemberFactory,
    MemberVillageFactory,
    OfficeFundFactory,
    OrganizationFactory,
    PartyMemberCaseFactory,
    PlaqueContributionFactory,
    ReserveCadreFactory,
    ResidentsGroupFactory,
    SubCommitteeFactory,
    TalkFactory,
    TownFactory,
    TrainingFactory,
    VillageRecognitionFactory,
    VolunteerRegistrationFactory,
    WorkFundFactory,
    fast_build,
)

URBAN, RURAL, VILLAGE = Community.Kind.URBAN, Community.Kind.RURAL, Community.Kind.VILLAGE
CHUNK = 1000  # communities a CityGenerator writes (and holds the rows of) at a time
BATCH = 2000  # rows per INSERT

# ---- names ----------------------------------------------------------------------------------------

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

URBAN_NAMES = [
    "幸福",
    "和平",
    "光华",
    "新华",
    "朝阳",
    "民主",
    "胜利",
    "团结",
    "文化",
    "友谊",
    "建国",
    "春晖",
    "锦绣",
    "丽景",
    "翠园",
    "金桥",
    "银河",
    "长青",
    "康乐",
    "花园",
    "滨江",
    "紫荆",
    "桂苑",
    "阳光",
    "育才",
    "铁路",
    "电厂",
    "纺织",
    "机械",
    "新苑",
    "水岸",
    "嘉和",
    "惠民",
    "安居",
    "御景",
    "永安",
]
RURAL_NAMES = ["红光", "兴隆", "太平", "丰收", "长胜", "永丰", "前进", "富民", "新兴", "北山", "南湾", "杏花"]
VILLAGE_NAMES = [
    "王家",
    "李家",
    "张庄",
    "刘屯",
    "赵家沟",
    "孙家洼",
    "马坊",
    "杨树",
    "柳条",
    "石门",
    "东营子",
    "西营子",
    "后屯",
    "前屯",
    "三道河",
    "五里铺",
    "沙河",
    "大营",
    "小营",
    "黄土坎",
    "榆树",
    "高家",
    "何家湾",
    "庙前",
]
GACHA_NAMES = ["巴彦", "乌兰", "额尔敦", "宝力根", "阿拉坦", "查干", "呼和", "赛罕"]


DISTRICTS = [
    ("东城区", "central"),
    ("西湖区", "central"),
    ("南关区", "central"),
    ("北塔区", "central"),
    ("青山县", "outer"),
    ("白河旗", "outer"),
    ("柳河县", "outer"),
    ("杏山县", "outer"),
    ("红石旗", "outer"),
    ("清水县", "outer"),
]
TOWN_BASES = (
    "东华 建设 光明 湖滨 南苑 西关 新华 朝阳 和平 胜利 团结 文化 友谊 解放 人民 长江 黄河 中山 北京 "
    "上海 天山 昆仑 泰山 华山 松江 兴安 龙泉 凤鸣 金沙 银川 石桥 四十里 青山 白河 柳树 红旗 太平 兴隆 "
    "丰收 永安 前进 富民 新兴 北山 南湾 杏花 桃源 梨树 榆林 杨柳 三道 五里 双庙 大营 小营 沙河 黄土 "
    "高台 马坊 牛心 羊山 鹿鸣 鹤岗 燕山 雁塔 鸭绿 松原 桦甸"
).split()

# ---- profiles -------------------------------------------------------------------------------------

# Kinds of gap a community may have, with the items each makes lose points (lowest level): `Plan.gaps`.
URBAN_GAPS = {
    "small_size": "U-SIZE",
    "low_occupancy": "U-NEW",
    "late_setup": "U-SETUP",
    "not_filed": "U-FILE",
    "roster_not_filed": "U-ROSTER",
    "fund_short": "U-FUND",
    "no_q4_meeting": "U-MEET",
    "no_minutes": "U-MEET",
    "four_subcommittees": "U-SUBC",
    "subc_reps": "U-SUBC",
    "group_too_big": "U-GROUP",
    "group_leader_appointed": "U-GROUP",
    "no_station": "U-STATION",
    "part_time_committee": "U-SEATS U-FULLTIME",
    "seats_short": "U-SEATS",
    "too_many_staff": "U-PRO",
    "no_staff": "U-PRO",
    "untrained": "U-TRAIN",
    "candidate_new_resident": "U-CAND",
    "candidate_on_committee": "U-CAND",
    "no_q4_disclosure": "U-DISC",
    "few_boards": "U-BOARDS",
    "small_station": "U-AREA",
    "missing_room": "U-ROOMS",
    "small_activity_space": "U-SPACE",
    "missing_plaque": "U-PLAQUES",
    "procedures_not_posted": "U-WINDOWS",
    "no_q3_party_meeting": "U-PARTY",
    "few_social_orgs": "U-SOCORG",
    "no_volunteer_org": "U-VOLORG",
    "few_volunteers": "U-VOLREG",
    "few_activities": "U-VOLACT",
}
# Items of the model level (示范, rural 示范 and 精品): `Plan.fails`.
URBAN_MODEL_FAILS = {
    "no_building_leaders": "U-BLDG",
    "few_building_leaders": "U-BLDG",
    "no_certificate": "U-CERT",
    "indirect_election": "U-ELECT",
    "crowded_committee": "U-VISIT",
    "no_screen": "U-SCREEN",
    "no_units_meeting": "U-UNITS",
}
RURAL_GAPS = {
    "bad_name": "R-NAME",
    "centre_misnamed": "R-NAME",
    "scope_far": "R-SCOPE",
    "scope_few_villages": "R-SCOPE",
    "scope_population": "R-SCOPE",
    "small_center": "R-AREA",
    "no_yard": "R-AREA",
    "missing_rural_room": "R-8HAVE",
    "missing_function": "R-FUNC",
    "missing_hall_service": "R-HALL",
    "missing_center_station": "R-STATIONS",
    "missing_rural_board": "R-BOARDS",
    "five_ones_incomplete": "R-5YI",
    "no_environment_check": "R-5YI",
}
RURAL_MODEL_FAILS = {"no_party_org": "R-PARTY", "no_cooperative": "R-ORGS", "no_association": "R-ORGS"}
VILLAGE_GAPS = {
    "branch_too_big": "V-BRANCH",
    "few_party_members": "V-BRANCH",
    "vc_size": "V-VC",
    "cross_low": "V-CROSS V-TWO",  # V-TWO (over 7 persons) in large villages only
    "short_notice": "V-NOTICE",
    "not_two_recommendations": "V-DIRECT",
    "vc_not_direct": "V-DIRECT",
    "untrained_village": "V-TRAIN",
    "no_audit_2": "V-APPRAISE",
    "no_cadres_1": "V-APPRAISE",
    "case_60": "V-MEMBER",
    "case_no_exam": "V-MEMBER",
    "no_party_members_2": "V-MEMBERAPPR",
    "topics_not_disclosed": "V-DISC",
}
# V-ONE (model) is a town's figure: towns with few "one person" villages fail it for all their villages.
VILLAGE_MODEL_FAILS = {"talk_missing_quarter": "V-TALK", "pay_wrong": "V-PAY"}

# Gaps that fail a 一票否决 item of a level (`*_GAPS` above): a `gaps` community fails one or two of
# its lowest level's; a rural community below 精品 fails one of a higher level's (rural sheets name
# vetoes per level: R-8HAVE and R-HALL from 示范 up, R-STATIONS and R-5YI for 精品 only).
VETO_GAPS = {
    URBAN: {
        "qualified": frozenset(
            "no_q4_meeting no_minutes no_q4_disclosure part_time_committee "
            "candidate_new_resident candidate_on_committee".split()
        ),
    },
    RURAL: {
        "standardized": frozenset({"small_center", "no_yard"}),
        "model": frozenset({"missing_rural_room", "missing_hall_service"}),
        "premium": frozenset({"missing_center_station", "five_ones_incomplete", "no_environment_check"}),
    },
    VILLAGE: {
        "qualified": frozenset(
            "short_notice not_two_recommendations vc_not_direct vc_size case_60 case_no_exam".split()
        ),
    },
}
# Points each other gap (or model-level fail) loses on the shipped sheets, (fewest, most), as the
# facts `Records` writes for it make them: a `qualified` urban or village community loses enough of
# them to fall between its two levels' minimum scores. Bonus items (加分项) are in `BONUS_LOSSES`:
# their points count on the score as they are, the others scaled by 100 ÷ the applicable full marks.
URBAN_LOSSES = {
    "no_building_leaders": (2, 2),
    "few_building_leaders": (2, 2),
    "indirect_election": (2, 2),
    "no_units_meeting": (2, 2),
    "no_certificate": (2, 2),
    "no_screen": (1, 1),
    "small_size": (3, 3),
    "too_many_staff": (2, 2),
    "no_staff": (2, 2),
    "small_station": (0.08, 1),  # 240 to 295 m² of 300
    "missing_room": (1, 1),
    "few_boards": (1.5, 1.5),
    "missing_plaque": (0.5, 0.5),
    "procedures_not_posted": (0.5, 0.5),
    "no_volunteer_org": (1, 1.2),
    "few_volunteers": (1, 1),
    "few_activities": (0.16, 0.5),
    "untrained": (0.6, 1),
    "no_q3_party_meeting": (0.5, 0.5),
    "few_social_orgs": (0, 0.8),
}
RURAL_LOSSES = {
    "no_party_org": (3, 3),
    "no_cooperative": (3, 3),
    "no_association": (3, 3),
    "scope_far": (2, 2),
    "scope_few_villages": (2, 2),
    "scope_population": (2, 2),
    "missing_function": (1, 1),
    "missing_rural_board": (2, 2),
    "centre_misnamed": (2, 2),
}
VILLAGE_LOSSES = {
    "talk_missing_quarter": (1, 1),
    "pay_wrong": (0.5, 1.7),
    "branch_too_big": (5, 5),
    "few_party_members": (5, 5),
    "no_party_members_2": (4, 4),
    "no_audit_2": (2, 2),
    "no_cadres_1": (2, 2),
    "untrained_village": (1, 3),
    "topics_not_disclosed": (3, 3),  # two of V-DISC's topics never disclosed in the year
}
LOSSES = {URBAN: URBAN_LOSSES, RURAL: RURAL_LOSSES, VILLAGE: VILLAGE_LOSSES}
BONUS_LOSSES = frozenset({"no_certificate", "no_screen", "no_party_org"})
# Sheet points a `qualified` community loses, (at least, at most): urban and village sheets ask 70
# for 合格 and 90 for 示范; an urban community's 3 bonus points and full marks that may be as low as
# 89 (items that do not apply leave the sheet) are counted in `Policy.lose_points`.
QUALIFIED_LOSS = {URBAN: (14, 26), VILLAGE: (12, 26)}
# Gaps that decide the same facts as another: never chosen together.
CLASHES = {
    "vc_size": {"branch_too_big", "cross_low"},
    "small_size": {"crowded_committee"},
    "no_station": {
        "few_boards",
        "small_station",
        "missing_room",
        "small_activity_space",
        "missing_plaque",
        "procedures_not_posted",
        "no_screen",
    },
}

TRAINING_TOPICS = ["社区工作实务培训", "基层治理能力提升班", "居务公开与民主管理", "社会救助政策解读"]
MEETING_TOPICS = ["年度工作计划", "年度工作总结", "季度工作联席会议", "小区停车管理议事", "老旧小区改造听证"]
ACTIVITY_TITLES = ["邻里互助日", "环境卫生整治", "关爱空巢老人", "义诊进社区", "文明劝导", "助学帮困"]


class Plan:
    """One community to generate: where, what kind, its profile, and the gaps that decide its results."""

    __slots__ = (
        "town",
        "zone",
        "kind",
        "subtype",
        "name",
        "profile",
        "gaps",
        "fails",
        "new",
        "elected_this_year",
        "households",
        "residents",
        "one_person_rate",
        "pk",
        "obj",
        "people",
        "forced",
    )

    def __init__(self, town, zone, kind, subtype, name, one_person_rate):
        self.town, self.zone, self.kind, self.subtype, self.name = town, zone, kind, subtype, name
        self.one_person_rate = one_person_rate
        self.gaps: set[str] = set()
        self.fails: set[str] = set()
        self.new = self.elected_this_year = False
        self.people: dict = {}
        self.forced: set[str] = set()  # gaps its facts impose (a name chosen against R-NAME)


def expected_seats(households: int) -> int:
    return min(7, max(5, (2 * households + 500) // 1000))  # households / 500, half up, held at 5..7


@dataclass(frozen=True)
class Policy:
    """How plans choose their gaps: a `gaps` community fails one to `most` veto gaps and has up to
    `extra` other gaps besides, drawn from every gap of its kind (`every_gap`: the benchmarks') or from
    the loss tables only (the demo's: no community without a station, ...); gaps in `common` are
    chosen twice as often."""

    every_gap: bool = True
    most: int = 3
    extra: int = 5
    common: frozenset = frozenset()

    def pick(self, rng: random.Random, codes, chosen: set[str], catalogue: dict) -> str | None:
        """One of `codes` (`catalogue`'s), none that clashes with a gap already `chosen`."""
        codes = sorted(code for code in codes if code not in chosen and not clashes(code, chosen, catalogue))
        if not codes:
            return None
        return rng.choices(codes, [2 if code in self.common else 1 for code in codes])[0]

    def lose_points(
        self, rng: random.Random, losses: dict, chosen: set[str], catalogue: dict, low: float, high: float
    ):
        """Add gaps of `losses` to `chosen` until they lose at least `low` points and at most `high`
        (as `loss` counts them, which adds up gap by gap); the gaps that lose more points are the
        likelier, so that a few do."""
        least, most = loss(chosen, losses, 0), loss(chosen, losses, 1)
        each = {code: (loss({code}, losses, 0), loss({code}, losses, 1)) for code in losses}
        codes = [
            code for code in sorted(losses) if code not in chosen and not clashes(code, chosen, catalogue)
        ]
        while least < low:
            fits = [code for code in codes if most + each[code][1] <= high]
            if not fits:
                break
            weights = [(each[code][0] + 0.5) * (2 if code in self.common else 1) for code in fits]
            code = rng.choices(fits, weights)[0]
            chosen.add(code)
            least, most = least + each[code][0], most + each[code][1]
            codes = [other for other in codes if other != code and not clashes(other, {code}, catalogue)]


BENCH = Policy()


def clashes(code: str, chosen: set[str], catalogue: dict) -> bool:
    """Whether `code` fails an item a chosen gap already fails, or decides the same facts."""
    failing = {item for other in chosen for item in catalogue.get(other, "").split()}
    if set(catalogue[code].split()) & failing:
        return True
    return bool(CLASHES.get(code, set()) & chosen) or any(code in CLASHES.get(other, ()) for other in chosen)


def loss(codes: set[str], losses: dict, bound: int) -> float:
    """The score points `codes` lose at least (`bound` 0) or at most (1): bonus points as they are,
    the others scaled by 100 ÷ the applicable full marks (100 at most, 89 at least on the urban sheet)."""
    bonus = sum(losses[code][bound] for code in codes if code in BONUS_LOSSES and code in losses)
    other = sum(losses[code][bound] for code in codes if code not in BONUS_LOSSES and code in losses)
    return bonus + other * (100 / 89 if bound else 1)


def choose_profile(plan: Plan, rng: random.Random, policy: Policy, profile: str | None = None):
    """The plan's profile, its gaps (`*_GAPS`) and model-level fails (`*_MODEL_FAILS`), and whether it
    is a new community or elected this year. `profile` forces one; the plan's `forced` gaps (say
    `bad_name`, for a name already chosen) keep it below the top level.

    - `model`: no gap: the top level (示范, rural 精品);
    - `middle` (rural only): a 精品 veto fails (R-STATIONS, R-5YI): 示范;
    - `qualified`: urban and village communities lose 12 to 26 points (`QUALIFIED_LOSS`), no veto:
      合格; rural ones fail a 示范 veto (R-8HAVE, R-HALL): 规范化;
    - `gaps`: a veto of the lowest level fails: no level.
    """
    roll = rng.random()
    if plan.kind == RURAL:
        cuts = ((0.30, "model"), (0.50, "middle"), (0.70, "qualified"), (1.0, "gaps"))
    else:
        cuts = ((0.30, "model"), (0.60, "qualified"), (1.0, "gaps"))
    plan.profile = next(name for cut, name in cuts if roll < cut)
    forced = set(plan.forced)
    if profile:
        plan.profile = profile
    if forced and plan.profile == "model":
        plan.profile = "middle" if plan.kind == RURAL else "qualified"
    if plan.kind == URBAN:
        gaps, fails = dict(URBAN_GAPS), dict(URBAN_MODEL_FAILS)
        plan.new = plan.subtype == "ordinary" and rng.random() < 0.03
        plan.elected_this_year = plan.new or rng.random() < 0.12
        if plan.subtype not in ("ordinary", "new_residential"):
            gaps.pop("small_size")
            fails.pop("crowded_committee")
        if plan.subtype == "unit":  # may be under 1000 households, which need no staff
            gaps.pop("no_staff")
        if plan.subtype != "new_residential":
            gaps.pop("low_occupancy")
        else:
            gaps.pop("small_size")
        if not plan.new:
            gaps.pop("late_setup")
            gaps.pop("not_filed")
        if not plan.elected_this_year:
            gaps.pop("roster_not_filed")
    elif plan.kind == RURAL:
        gaps, fails = dict(RURAL_GAPS), dict(RURAL_MODEL_FAILS)
        plan.elected_this_year = rng.random() < 0.12
    else:
        gaps, fails = dict(VILLAGE_GAPS), dict(VILLAGE_MODEL_FAILS)
    every = gaps | fails
    losses = {code: points for code, points in LOSSES[plan.kind].items() if code in every}
    vetoes = VETO_GAPS[plan.kind]
    chosen = set(forced)
    if plan.profile == "gaps":
        lowest = vetoes[next(iter(vetoes))]
        for _ in range(rng.randint(1, policy.most)):
            code = policy.pick(rng, (code for code in lowest if code in every), chosen, every)
            if code:
                chosen.add(code)
        pool = every if policy.every_gap else losses
        for _ in range(rng.randint(0, policy.extra)):
            code = policy.pick(rng, (code for code in pool if not _vetoes_any(code, vetoes)), chosen, every)
            if code:
                chosen.add(code)
        if plan.kind == URBAN and rng.random() < 0.6 and not chosen & {"few_building_leaders"}:
            # Many communities below 示范 keep no building leaders (U-BLDG is a model-level item).
            chosen.add("no_building_leaders")
    elif plan.profile == "middle":
        chosen.add(policy.pick(rng, vetoes["premium"], chosen, every))
        if rng.random() < 0.5:
            chosen.add(policy.pick(rng, losses, chosen, every))
    elif plan.profile == "qualified" and plan.kind == RURAL:
        chosen.add(policy.pick(rng, vetoes["model"], chosen, every))
        for _ in range(rng.randint(0, 2)):
            chosen.add(policy.pick(rng, losses, chosen, every))
    elif plan.profile == "qualified":
        policy.lose_points(rng, losses, chosen, every, *QUALIFIED_LOSS[plan.kind])
    chosen.discard(None)
    plan.gaps = {code for code in chosen if code in gaps}
    plan.fails = {code for code in chosen if code in fails}


def _vetoes_any(code: str, vetoes: dict) -> bool:
    return any(code in codes for codes in vetoes.values())


def size(plan: Plan, rng: random.Random):
    """Households and residents that fit the plan's gaps (under 2000 for `small_size`, ...)."""
    if plan.kind == "urban":
        if "small_size" in plan.gaps:
            households = rng.randint(1200, 1999)
        elif "crowded_committee" in plan.fails:
            households = rng.randint(3600, 3999)
        elif plan.subtype == "unit":
            households = rng.randint(600, 1800)
        elif plan.subtype == "market_town":
            households = rng.randint(1200, 2600)
        elif plan.subtype == "new_residential":
            households = rng.randint(3000, 3999)
        else:
            households = rng.randint(2000, 3999)
        residents = int(households * rng.uniform(2.4, 3.0))
    elif plan.kind == "rural":
        if "scope_population" in plan.gaps:
            households = rng.randint(700, 850)
            residents = int(households * rng.uniform(3.0, 3.3))
        else:
            households = rng.randint(1000, 1750)
            residents = min(6000, max(3000, int(households * rng.uniform(3.0, 3.4))))
    elif "branch_too_big" in plan.gaps:  # a large village: its 5-seat committee all on the branch
        households = rng.randint(320, 600)
        residents = max(1000, int(households * rng.uniform(3.1, 3.5)))
    else:
        households = rng.randint(150, 600)
        residents = int(households * rng.uniform(3.0, 3.5))
    plan.households, plan.residents = households, residents


def community_fields(plan: Plan, rng: random.Random, year: int) -> dict:
    """The planned community's row: its plan, and the facts its gaps decide (a new community's filing,
    a new area's occupancy, a village's party members)."""
    established = (
        date(year, 1, rng.randint(2, 20))
        if plan.new
        else date(rng.randint(1995, year - 10), rng.randint(1, 12), rng.randint(1, 28))
    )
    filed_on = None
    if plan.new and "not_filed" not in plan.gaps:
        filed_on = min(established + timedelta(days=rng.randint(30, 200)), date(year, 11, 30))
    return {
        "unit": plan.town,
        "name": plan.name,
        "kind": plan.kind,
        "subtype": plan.subtype,
        "households": plan.households,
        "residents": plan.residents,
        "established_on": established,
        "address": f"{plan.town.name}{plan.name}{'办公楼' if plan.kind == 'urban' else '服务中心'}",
        "phone": f"0{rng.randint(310, 479)}-{rng.randint(2000000, 8999999)}",
        "filed_on": filed_on,
        "occupancy_percent": (
            Decimal(rng.randint(30, 49) if "low_occupancy" in plan.gaps else rng.randint(55, 96))
            if plan.subtype == "new_residential"
            else None
        ),
        "party_members": (
            (rng.randint(4, 6) if "few_party_members" in plan.gaps else rng.randint(8, 60))
            if plan.kind == "village"
            else None
        ),
    }


# ---- the record set -------------------------------------------------------------------------------

# Evidence the records name: the measures read whether one is recorded. The benchmarks' are paths of
# no file; the demo stores one small PDF as every meeting's minutes and names no photos (`demo_evidence`).
BENCH_EVIDENCE = {"minutes": "evidence/bench/minutes.pdf", "photo": "evidence/bench/photo.jpg"}


class Records:
    """Builds planned communities' records of `year` (and some of the year before), as the factories
    make them, and keeps them to be written in bulk: members and elections first (other records refer
    to them), then everything else. With `history`, the rows come with their history rows, naming the
    user of `users` (by community id) or nobody; `every_type` adds the records no indicator reads, so
    that every record type has rows (the demo)."""

    def __init__(
        self, year: int, rng: random.Random, evidence: dict = BENCH_EVIDENCE, history=False, every_type=False
    ):
        self.year = year
        self.rng = rng
        self.minutes, self.photo = evidence["minutes"], evidence["photo"]
        self.history = history
        self.every_type = every_type
        self.users: dict = {}  # community id -> the user the history rows name
        self.yesterday = timezone.localdate() - timedelta(days=1)
        self.rows: dict[type, list] = defaultdict(list)
        self.counts: Counter = Counter()
        self.benchmarks: dict = {}  # tenant id -> the pay benchmarks of `year` by post

    # -- helpers ------------------------------------------------------------------------------------
    def add(self, obj):
        if self.history:
            obj._history_user = self.users.get(obj.community_id)
        self.rows[type(obj)].append(obj)
        return obj

    def new(self, factory_class, **fields):
        return self.add(fast_build(factory_class, **fields))

    def flush(self, *models):
        for model in models or list(self.rows):
            rows = self.rows.pop(model, [])
            if not rows:
                continue
            if self.history:
                bulk_create_with_history(rows, model, batch_size=BATCH)
            else:
                model.objects.bulk_create(rows, batch_size=BATCH)
            self.counts[model._meta.label] += len(rows)

    def day(self, year: int, quarter: int) -> date:
        """A day in the quarter of the year, never after yesterday."""
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - timedelta(days=1)
        end = min(end, self.yesterday)
        span = (end - start).days
        return start + timedelta(days=self.rng.randint(0, span)) if span > 0 else end

    def between(self, first: date, last: date) -> date:
        last = min(last, self.yesterday)
        return first + timedelta(days=self.rng.randint(0, max((last - first).days, 0)))

    def name_maker(self):
        used = set()
        rng, surnames, given = self.rng, SURNAMES, GIVEN

        def make() -> str:
            while True:
                name = (
                    rng.choice(surnames)
                    + rng.choice(given)
                    + (rng.choice(given) if rng.random() < 0.6 else "")
                )
                if name not in used:
                    used.add(name)
                    return name

        return make

    # -- writing --------------------------------------------------------------------------------------
    def write(self, plans: list[Plan]):
        """New communities of `plans` (the benchmarks'), then their records."""
        for plan in plans:
            fields = community_fields(plan, self.rng, self.year)
            plan.obj = fast_build(CommunityFactory, **fields)
        Community.objects.bulk_create([plan.obj for plan in plans], batch_size=BATCH)
        self.counts[Community._meta.label] += len(plans)
        self.build(plans)
        for plan in plans:
            plan.obj = None
            plan.people = {}

    def build(self, plans: list[Plan]):
        """The records of `plans`, whose communities exist (`plan.obj`): members and elections written
        first, everything else after them."""
        for plan in plans:
            plan.pk = plan.obj.pk
            if plan.kind == "village":
                self.village_people(plan)
            else:
                self.committee_people(plan)
        self.flush(Member, Election)
        for plan in plans:
            self.candidates(plan)
            self.trainings(plan)
            self.life(plan)
            if plan.kind == "urban":
                self.urban_organisation(plan)
                self.station(plan)
                self.work_funds(plan)
            elif plan.kind == "rural":
                self.centre(plan)
            else:
                self.village_work(plan)
            if self.every_type:
                self.unread(plan)
        self.flush()

    # -- people and elections -----------------------------------------------------------------------
    def election_day(self, plan: Plan) -> date:
        established = plan.obj.established_on
        if plan.new:
            late = "late_setup" in plan.gaps
            return established + timedelta(
                days=self.rng.randint(100, 130) if late else self.rng.randint(40, 80)
            )
        if plan.elected_this_year:
            return self.day(self.year, 2)
        return date(
            self.rng.randint(self.year - 4, self.year - 1), self.rng.randint(5, 6), self.rng.randint(1, 30)
        )

    def committee_election(self, plan, body, held, direct, voting, turnout, largest, **fields):
        """The committee's election: `voting` its residents' share on the roll, `turnout` in tenths of a
        percent, an election committee of 5 to `largest`."""
        return self.new(
            ElectionFactory,
            community_id=plan.pk,
            body=body,
            held_on=held,
            direct=direct,
            method="direct" if direct else "representatives",
            voters=max(1, int(plan.residents * voting)),
            turnout_percent=Decimal(self.rng.randint(*turnout)) / 10,
            election_committee_size=self.rng.randint(5, largest),
            **fields,
        )

    def committee_people(self, plan: Plan):
        """A residents' committee (urban and rural), the party organisation, the station's staff, the
        committee's election (and an older one for some)."""
        rng, names = self.rng, self.name_maker()
        held = self.election_day(plan)
        seats = expected_seats(plan.households)
        full, part = seats, 1
        if "seats_short" in plan.gaps:
            full, part = seats - 1, 2
        if "part_time_committee" in plan.gaps:
            full, part = seats // 2, seats - seats // 2 + 1
        if "crowded_committee" in plan.fails:
            part = seats - full
        roles = ["director", "deputy_director"] + ["member"] * (full + part - 2)
        certificate = 1 if "no_certificate" not in plan.fails else None
        committee = []
        for index, role in enumerate(roles):
            full_time = index < full
            committee.append(
                self.new(
                    MemberFactory,
                    community_id=plan.pk,
                    name=names(),
                    body="residents_committee",
                    role=role,
                    full_time=full_time,
                    resident_since=self.between(date(1985, 1, 1), held - timedelta(days=400)),
                    phone=f"13{rng.randint(100000000, 999999999)}",
                    elected=True,
                    social_worker_certificate=index == certificate,
                    certificates=rng.choice(["", "", "助理社会工作师", "心理咨询师", "调解员证"]),
                    pay_type="fixed" if full_time else "per_day",
                )
            )
        director = committee[0]
        party = []
        if "no_party_org" not in plan.fails:
            party.append(
                self.new(
                    MemberFactory,
                    community_id=plan.pk,
                    name=director.name,  # the director also leads the party organisation
                    body="party_organization",
                    role="secretary",
                    full_time=True,
                    resident_since=director.resident_since,
                    elected=True,
                    pay_type="fixed",
                )
            )
            for member in rng.sample(committee[1:], 2):
                party.append(
                    self.new(
                        MemberFactory,
                        community_id=plan.pk,
                        name=member.name,
                        body="party_organization",
                        role="member",
                        full_time=member.full_time,
                        resident_since=member.resident_since,
                        elected=True,
                    )
                )
        if "too_many_staff" in plan.gaps:
            staff = 6
        elif "no_staff" in plan.gaps and plan.households >= 1000:
            staff = 0
        elif plan.households < 1000:
            staff = rng.randint(0, 2)
        else:
            staff = rng.randint(1 if plan.kind == "rural" else 2, 4)
        station = [
            self.new(
                MemberFactory,
                community_id=plan.pk,
                name=names(),
                body="service_station",
                role="staff",
                full_time=True,
                elected=False,
                phone=f"15{rng.randint(100000000, 999999999)}",
            )
            for _ in range(staff)
        ]
        direct = "indirect_election" not in plan.fails
        roster = None
        if held.year == self.year and "roster_not_filed" not in plan.gaps:
            roster = self.between(held + timedelta(days=15), held + timedelta(days=60))
        election = self.committee_election(
            plan, "residents_committee", held, direct, 0.75, (780, 960), 9, roster_filed_on=roster
        )
        election.evidence = self.photo if rng.random() < 0.5 else ""
        if not plan.new and rng.random() < 0.3:  # the previous term: "latest" must win over it
            self.new(
                ElectionFactory,
                community_id=plan.pk,
                body="residents_committee",
                held_on=held - timedelta(days=5 * 365),
                direct=not direct,
                method="representatives" if direct else "direct",
                voters=max(1, int(plan.residents * 0.7)),
            )
        plan.people = {
            "committee": committee,
            "party": party,
            "station": station,
            "elections": [(election, committee, names)],
            "names": names,
        }

    def village_people(self, plan: Plan):
        """A village's party branch and villagers' committee ("two committees"), cross-appointed, and
        their elections."""
        rng, names = self.rng, self.name_maker()
        large = plan.residents >= 1000
        one_person = rng.random() < plan.one_person_rate
        persons = [names() for _ in range(7)]
        branch_size = 6 if "branch_too_big" in plan.gaps else 4 if large else 3
        committee_size = 5 if large else 3
        if "vc_size" in plan.gaps:  # one seat too few (large) or too many (small, its branch grown to match)
            committee_size += -1 if large else 1
            branch_size = max(branch_size, committee_size)
        branch = [(persons[0], "secretary")]
        branch += [(persons[1], "member" if one_person else "deputy_secretary")]
        branch += [(name, "member") for name in persons[2:branch_size]]
        leader, other = (persons[0], persons[1]) if one_person else (persons[1], persons[0])
        if "cross_low" in plan.gaps:
            others = [names() for _ in range(committee_size - 1)]
        else:
            others = [other] + persons[2:committee_size]
            others = others[: committee_size - 1]
        committee = [(leader, "director")] + [(name, "member") for name in others]
        committee[-1] = (committee[-1][0], "accountant")
        fixed = {name for name, role in branch + committee if role in ("secretary", "director", "accountant")}
        wrong_pay = None
        if "pay_wrong" in plan.fails:
            wrong_pay = rng.choice([name for name, _ in branch + committee])
        since = {}
        rows = {"party_branch": [], "villagers_committee": []}
        for body, people in (("party_branch", branch), ("villagers_committee", committee)):
            for name, role in people:
                since.setdefault(name, date(1965, 1, 1) + timedelta(days=rng.randint(0, 14000)))
                pay = "fixed" if name in fixed else "per_day"
                if name == wrong_pay:
                    pay = "" if pay == "per_day" else "per_day"
                rows[body].append(
                    self.new(
                        MemberFactory,
                        community_id=plan.pk,
                        name=name,
                        body=body,
                        role=role,
                        full_time=role != "member",
                        resident_since=since[name],
                        elected=True,
                        pay_type=pay,
                        phone=f"13{rng.randint(100000000, 999999999)}",
                    )
                )
        this_year = "short_notice" in plan.gaps or rng.random() < 0.3
        held = self.day(self.year, 2) if this_year else date(self.year - 3, 4, rng.randint(10, 28))
        direct = "vc_not_direct" not in plan.gaps
        committee_election = self.committee_election(
            plan, "villagers_committee", held, direct, 0.8, (820, 980), 7
        )
        branch_held = held - timedelta(days=rng.randint(10, 30))
        branch_election = self.new(
            ElectionFactory,
            community_id=plan.pk,
            body="party_branch",
            held_on=branch_held,
            direct=False,
            method="other" if "not_two_recommendations" in plan.gaps else "two_recommendations",
            voters=plan.obj.party_members,
        )
        plan.people = {
            "branch": rows["party_branch"],
            "committee": rows["villagers_committee"],
            "leaders": {persons[0], leader},
            "elections": [
                (committee_election, rows["villagers_committee"], names),
                (branch_election, rows["party_branch"], names),
            ],
            "names": names,
        }

    def candidates(self, plan: Plan):
        rng = self.rng
        for election, members, names in plan.people["elections"]:
            held = election.held_on
            branch = election.body == "party_branch"
            standing = [(member.name, member.resident_since, True) for member in members]
            standing += [
                (names(), self.between(date(1980, 1, 1), held - timedelta(days=800)), False)
                for _ in range(rng.randint(1, 2))
            ]
            spoiled = None
            if not branch and plan.gaps & {"candidate_new_resident", "candidate_on_committee"}:
                spoiled = len(standing) - 1
            short = branch and "short_notice" in plan.gaps
            for index, (name, since, elected) in enumerate(standing):
                notice = None
                if branch:
                    notice = held - timedelta(days=rng.randint(7, 14))
                    if short and index == 1:
                        notice = held - timedelta(days=rng.randint(2, 5))
                if index == spoiled and "candidate_new_resident" in plan.gaps:
                    since = held - timedelta(days=rng.randint(90, 300))
                self.new(
                    ElectionCandidateFactory,
                    community_id=plan.pk,
                    election_id=election.pk,
                    name=name,
                    resident_since=since,
                    on_election_committee=index == spoiled and "candidate_on_committee" in plan.gaps,
                    elected=elected,
                    notice_started_on=notice,
                )

    def trainings(self, plan: Plan):
        rng, year = self.rng, self.year
        if plan.kind == "village":
            people = {}
            for member in plan.people["branch"] + plan.people["committee"]:
                people.setdefault(member.name, member)
            untrained = None
            if "untrained_village" in plan.gaps:
                untrained = rng.choice([name for name in people if name not in plan.people["leaders"]])
            for name, member in people.items():
                days = 7 if name in plan.people["leaders"] else 3
                if name == untrained:
                    days = 2
                parts = [days] if days < 4 or rng.random() < 0.5 else [days - 3, 3]
                for number, part in enumerate(parts):
                    self.new(
                        TrainingFactory,
                        community_id=plan.pk,
                        trainee_id=member.pk,
                        trainee_name=name,
                        organiser_tier=rng.choice(["district", "town"]),
                        held_on=self.day(year, rng.randint(1, 4)),
                        days=Decimal(part),
                        topic=rng.choice(TRAINING_TOPICS),
                        practical_techniques=rng.randint(2, 4) if number == 0 else 0,
                    )
            return
        committee = plan.people["committee"]
        elected = plan.people["elections"][0][0].held_on.year == year
        untrained = rng.choice(committee[1:]) if "untrained" in plan.gaps else None
        for member in committee:
            director = member.role == "director"
            sessions = 1 if director or member is untrained else 2
            tiers = ["district"] * sessions + (["city"] if director and elected else [])
            for tier in tiers:
                self.new(
                    TrainingFactory,
                    community_id=plan.pk,
                    trainee_id=member.pk,
                    trainee_name=member.name,
                    organiser_tier=tier,
                    held_on=self.day(year, rng.randint(1, 4)),
                    days=Decimal(rng.choice([1, 2, 2, 3])),
                    topic=rng.choice(TRAINING_TOPICS),
                )
        for member in plan.people["station"][:1]:
            self.new(
                TrainingFactory,
                community_id=plan.pk,
                trainee_id=member.pk,
                trainee_name=member.name,
                organiser_tier="town",
                held_on=self.day(year - 1, rng.randint(1, 4)),
                days=Decimal(1),
                topic="便民服务窗口业务培训",
            )

    # -- community life (every kind) ----------------------------------------------------------------
    def life(self, plan: Plan):
        rng, year = self.rng, self.year
        pk = plan.pk
        village = plan.kind == "village"
        general, joint = ("villagers", "two_committees") if village else ("residents", "party_joint")
        meetings = [(general, 1, self.minutes, 0)]
        if "no_q4_meeting" not in plan.gaps:
            meetings.append((general, 4, "" if "no_minutes" in plan.gaps else self.minutes, 1))
        else:
            meetings.append((general, 3, self.minutes, 1))
        for quarter in range(1, 5):
            if quarter == 3 and "no_q3_party_meeting" in plan.gaps:
                continue
            meetings.append((joint, quarter, self.minutes if rng.random() < 0.7 else "", 2))
        if not village:
            meetings.append(("consultation", 2, self.minutes, 3))
            if rng.random() < 0.5:
                meetings.append(("consultation", 3, "", 3))
            if plan.kind == "urban" and "no_units_meeting" not in plan.fails:
                meetings.append(("units_joint", 3, self.minutes, 2))
            if plan.profile == "model" or rng.random() < 0.3:
                meetings.append(("hearing", 2, self.minutes, 4))
            if rng.random() < 0.4:
                meetings.append(("residents_representatives", rng.randint(1, 4), "", 1))
        for kind, quarter, minutes, topic in meetings:
            self.new(
                MeetingFactory,
                community_id=pk,
                kind=kind,
                held_on=self.day(year, quarter),
                topic=MEETING_TOPICS[topic],
                attendees=rng.randint(15, 200),
                minutes=minutes,
                decisions="审议通过" if minutes else "",
            )
        if not plan.new:  # last year's: read by nothing for this year
            for kind, quarter in ((general, 1), (general, 4), (joint, 2), (joint, 4)):
                self.new(
                    MeetingFactory,
                    community_id=pk,
                    kind=kind,
                    held_on=self.day(year - 1, quarter),
                    topic=MEETING_TOPICS[2],
                    minutes=self.minutes,
                )
        for quarter, topics in enumerate(self.disclosure_topics(plan), start=1):
            if quarter == 4 and "no_q4_disclosure" in plan.gaps:
                continue
            self.new(
                DisclosureFactory,
                community_id=pk,
                published_on=self.day(year, quarter),
                topics=topics,
                channel=rng.choice(["board", "board", "online", "meeting"]),
                evidence=self.photo if rng.random() < 0.6 else "",
            )
        if not plan.new:
            for quarter in (2, 4):
                self.new(
                    DisclosureFactory,
                    community_id=pk,
                    published_on=self.day(year - 1, quarter),
                    topics=["work", "finances"],
                    channel="board",
                )
        self.organisations(plan)
        share = 0.06 if "few_volunteers" in plan.gaps else rng.uniform(0.105, 0.16)
        for registration_year in (year - 1, year) if not plan.new else (year,):
            self.new(
                VolunteerRegistrationFactory,
                community_id=pk,
                year=registration_year,
                registered=math.ceil(plan.residents * share),
            )
        helping = rng.randint(3, 5) if "few_activities" in plan.gaps else rng.randint(6, 9)
        if village:
            helping = rng.randint(2, 5)
        kinds = [rng.choice(["volunteer", "mutual_aid"]) for _ in range(helping)]
        kinds += [rng.choice(["culture", "training", "other"]) for _ in range(rng.randint(1, 3))]
        for kind in kinds:
            self.new(
                ActivityFactory,
                community_id=pk,
                kind=kind,
                held_on=self.day(year, rng.randint(1, 4)),
                title=rng.choice(ACTIVITY_TITLES),
                participants=rng.randint(15, 90),
            )
        if not plan.new:
            for _ in range(2):
                self.new(
                    ActivityFactory,
                    community_id=pk,
                    kind="volunteer",
                    held_on=self.day(year - 1, rng.randint(1, 4)),
                    title=rng.choice(ACTIVITY_TITLES),
                )

    def disclosure_topics(self, plan: Plan) -> list[list[str]]:
        """Each quarter's topics. A village discloses its finances every quarter and each topic V-DISC
        asks for (family planning, homesteads, water and power fees, major matters, the audit) in
        some quarter of the year, two of them never with `topics_not_disclosed`."""
        rng = self.rng
        if plan.kind != "village":
            return [rng.sample(["plans", "work", "finances", "major"], rng.randint(2, 4)) for _ in range(4)]
        topics = list(VILLAGE_DISCLOSURE_TOPICS)
        rng.shuffle(topics)
        if "topics_not_disclosed" in plan.gaps:
            topics = topics[2:]
        quarters = [["finances"] + (["work"] if rng.random() < 0.5 else []) for _ in range(4)]
        for index, topic in enumerate(topics):
            quarters[index % 4].append(topic)
        return quarters

    def organisations(self, plan: Plan):
        rng, year = self.rng, self.year
        if plan.kind == "urban":
            social = rng.randint(6, 9) if "few_social_orgs" in plan.gaps else rng.randint(10, 13)
        else:
            social = rng.randint(2, 5)
        names = rng.sample(SOCIAL_ORGS, social)
        kinds = [("social", name) for name in names]
        if "no_volunteer_org" not in plan.gaps:
            kinds.append(("volunteer", "志愿服务队"))
        if plan.kind != "urban":
            if "no_cooperative" not in plan.fails:
                kinds.append(("cooperative", "农民专业合作社"))
            if "no_association" not in plan.fails:
                kinds.append(("association", "红白理事会"))
        elif rng.random() < 0.4:
            kinds.append(("owners_committee", "业主委员会"))
        for kind, name in kinds:
            self.new(
                OrganizationFactory,
                community_id=plan.pk,
                kind=kind,
                name=f"{plan.name}{name}",
                registered_on=None
                if rng.random() < 0.3
                else self.between(date(year - 8, 1, 1), date(year, 12, 31)),
                members_count=rng.randint(10, 120),
                hangs_plaque=rng.random() < 0.2,
            )

    # -- urban: sub-committees, groups, building leaders, the station, the work fund ----------------
    def urban_organisation(self, plan: Plan):
        rng, year = self.rng, self.year
        committee, names = plan.people["committee"], plan.people["names"]
        kinds = ["mediation", "security", "public_health", "family_planning", "culture"]
        if "four_subcommittees" in plan.gaps:
            kinds.remove(rng.choice(kinds))
        crowded = rng.randrange(len(kinds)) if "subc_reps" in plan.gaps else None
        for index, kind in enumerate(kinds):
            self.new(
                SubCommitteeFactory,
                community_id=plan.pk,
                kind=kind,
                leader_id=committee[index % len(committee)].pk,
                resident_representatives=rng.choice([2, 6, 7]) if index == crowded else rng.randint(3, 5),
            )
        groups = max(1, plan.households // 250)
        odd = rng.randrange(groups) if plan.gaps & {"group_too_big", "group_leader_appointed"} else None
        for number in range(groups):
            households = rng.randint(200, 300)
            if number == odd and "group_too_big" in plan.gaps:
                households = rng.randint(330, 420)
            self.new(
                ResidentsGroupFactory,
                community_id=plan.pk,
                name=f"第{number + 1}居民小组",
                households=households,
                leader_name=names(),
                leader_elected_by_group=not (number == odd and "group_leader_appointed" in plan.gaps),
                term_start=date(year - 2, 6, 1),
                term_end=date(year + 3, 5, 31),
            )
        if "no_building_leaders" in plan.fails:
            leaders = 0
        elif "few_building_leaders" in plan.fails:
            leaders = plan.households // 40
        else:
            leaders = plan.households // 25
        for number in range(leaders):
            self.new(
                BuildingLeaderFactory,
                community_id=plan.pk,
                name=names(),
                building=f"{number // 6 + 1}号楼{number % 6 + 1}单元",
                households=rng.randint(20, 30),
            )

    def station(self, plan: Plan):
        rng, gaps = self.rng, plan.gaps
        if "no_station" in gaps:
            return
        area = Decimal(rng.randint(240, 295) if "small_station" in gaps else rng.randint(320, 620))
        if "small_activity_space" in gaps:
            activity = (area / 2).quantize(Decimal("1"))
        else:
            activity = min(area, (area * 2 / 3).quantize(Decimal("1")) + rng.randint(1, 40))
        rooms = list(URBAN_ROOMS)
        if "missing_room" in gaps:
            rooms.remove(rng.choice(rooms))
        plaques = [code for code, _ in PLAQUES]
        if "missing_plaque" in gaps:
            plaques.remove(rng.choice(plaques))
        self.new(
            FacilityFactory,
            community_id=plan.pk,
            kind="service_station",
            name=f"{plan.name}服务站",
            address=f"{plan.town.name}{plan.name}办公楼",
            area_m2=area,
            activity_area_m2=activity,
            rooms=rooms,
            plaques=plaques,
            windows=[code for code, _ in WINDOWS],
            publicity_boards=rng.randint(1, 3),
            disclosure_boards=1 if "few_boards" in gaps else rng.randint(2, 3),
            electronic_screen="no_screen" not in plan.fails,
            has_yard_or_square=rng.random() < 0.3,
            procedures_posted="procedures_not_posted" not in gaps,
            equipment="电脑3台、打印机1台、扫描仪1台",
            photo=self.photo,
        )

    def work_funds(self, plan: Plan):
        year = self.year
        for fund_year in (year - 1, year) if not plan.new else (year,):
            due = work_fund_due(plan.households)
            paid = due - (Decimal("10000") if "fund_short" in plan.gaps and fund_year == year else 0)
            self.new(
                WorkFundFactory,
                community_id=plan.pk,
                year=fund_year,
                due=due,
                district_share=district_share(due, plan.obj.established_on.year == fund_year),
                paid=paid,
                paid_on=self.day(fund_year, 2),
            )

    # -- rural: the service centre, its environment and villages ------------------------------------
    def centre(self, plan: Plan):
        rng, gaps = self.rng, plan.gaps
        area = Decimal(rng.randint(420, 490) if "small_center" in gaps else rng.randint(520, 900))

        def all_but(codes, gap):
            codes = [code for code, _ in codes] if isinstance(codes[0], tuple) else list(codes)
            if gap in gaps:
                codes.remove(rng.choice(codes))
            return codes

        self.new(
            FacilityFactory,
            community_id=plan.pk,
            kind="service_center",
            name=f"{plan.town.name}便民服务中心" if "centre_misnamed" in gaps else f"{plan.name}服务中心",
            address=f"{plan.town.name}{plan.name}",
            area_m2=area,
            activity_area_m2=(area * 2 / 3).quantize(Decimal("1")),
            rooms=all_but(RURAL_ROOMS, "missing_rural_room"),
            plaques=["party_org", "service_center"],
            one_stop_services=all_but(ONE_STOP_SERVICES, "missing_hall_service"),
            stations=all_but(STATIONS, "missing_center_station"),
            functions=all_but(FUNCTIONS, "missing_function"),
            rural_boards=all_but(RURAL_BOARDS, "missing_rural_board"),
            publicity_boards=rng.randint(1, 3),
            disclosure_boards=rng.randint(1, 3),
            electronic_screen=rng.random() < 0.4,
            has_yard_or_square="no_yard" not in gaps,
            procedures_posted=True,
            equipment="电脑2台、打印机1台",
            photo=self.photo,
        )
        if "no_environment_check" not in gaps:
            five_ones = [code for code, _ in FIVE_ONES]
            if "five_ones_incomplete" in gaps:
                five_ones = rng.sample(five_ones, 3)
            self.new(
                EnvironmentCheckFactory,
                community_id=plan.pk,
                year=self.year,
                four_links=[code for code, _ in FOUR_LINKS],
                five_improvements=rng.sample([code for code, _ in FIVE_IMPROVEMENTS], rng.randint(2, 5)),
                five_ones=five_ones,
                five_nos_five_upgrades=rng.sample(
                    [code for code, _ in FIVE_NOS_FIVE_UPGRADES], rng.randint(4, 10)
                ),
                evidence=self.photo,
            )
        self.add(  # last year's, with fewer items: only the year's check counts
            fast_build(
                EnvironmentCheckFactory,
                community_id=plan.pk,
                year=self.year - 1,
                four_links=["road", "power"],
                five_ones=["paved_street"],
            )
        )
        count = rng.randint(3, 4) if "scope_few_villages" in gaps else rng.randint(5, 10)
        far = rng.randrange(count) if "scope_far" in gaps else None
        for index in range(count):
            self.new(
                MemberVillageFactory,
                community_id=plan.pk,
                name=f"{rng.choice(SURNAMES)}家{'庄屯洼沟岭坪'[index % 6]}{index + 1}",
                distance_km=Decimal(rng.randint(35, 60) if index == far else rng.randint(3, 30)) / 10,
                population=rng.randint(300, 900),
                households=rng.randint(90, 280),
            )

    # -- villages: talks, appraisals, new party members -----------------------------------------------
    def village_work(self, plan: Plan):
        rng, year = self.rng, self.year
        leaders = "、".join(sorted(plan.people["leaders"]))
        quarters = [1, 2, 3, 4]
        if "talk_missing_quarter" in plan.fails:
            quarters.remove(rng.choice(quarters))
        for held in [self.day(year, quarter) for quarter in quarters] + [self.day(year - 1, 3)]:
            self.new(
                TalkFactory,
                community_id=plan.pk,
                held_on=held,
                township_leader=plan.people["names"](),
                village_leaders=leaders,
                topic="村级重点工作谈心谈话",
            )
        skip = set()
        if "no_audit_2" in plan.gaps:
            skip.add(("audit", 2))
        if "no_cadres_1" in plan.gaps:
            skip.add(("cadres", 1))
        if "no_party_members_2" in plan.gaps:
            skip.add(("party_members", 2))
        years = [year] + ([year - 1] if rng.random() < 0.5 else [])
        for appraisal_year in years:
            for half in (1, 2):
                for subject in ("cadres", "party_members", "audit"):
                    if appraisal_year == year and (subject, half) in skip:
                        continue
                    self.new(
                        AppraisalFactory,
                        community_id=plan.pk,
                        year=appraisal_year,
                        half=half,
                        subject=subject,
                        held_on=self.day(appraisal_year, rng.choice([1, 2] if half == 1 else [3, 4])),
                        participants=rng.randint(20, 80),
                    )
        cases = 0
        if plan.gaps & {"case_60", "case_no_exam"}:
            cases = rng.randint(1, 2)
        elif rng.random() < 0.75:
            cases = rng.randint(1, 2)
        for index in range(cases):
            notice = self.day(year, rng.randint(1, 4))
            end = notice + timedelta(days=7)
            admitted = end + timedelta(days=rng.randint(20, 60))
            self.new(
                PartyMemberCaseFactory,
                community_id=plan.pk,
                name=plan.people["names"](),
                appraisal_approval_percent=(
                    Decimal("60.00")
                    if index == 0 and "case_60" in plan.gaps
                    else Decimal(rng.randint(650, 980)) / 10
                ),
                exam_passed=not (index == 0 and "case_no_exam" in plan.gaps),
                notice_start=notice,
                notice_end=end,
                admitted_on=admitted if admitted <= self.yesterday else None,
            )

    # -- records no indicator reads (the demo's, so that every record type has rows) ------------------
    def unread(self, plan: Plan):
        rng, year, names = self.rng, self.year, plan.people["names"]
        for _ in range(rng.randint(1, 2)):
            self.new(
                ReserveCadreFactory,
                community_id=plan.pk,
                name=names(),
                birth_year=rng.randint(1985, 1998),
                education=rng.choice(["大专", "本科"]),
                since=date(year - 1, 9, 1),
            )
        for fund_year in (year,) if plan.new else (year - 1, year):
            self.new(
                OfficeFundFactory,
                community_id=plan.pk,
                year=fund_year,
                amount=Decimal("20000"),
                source="区级财政",
            )
        if plan.kind == "rural":
            project = fast_build(
                CapitalProjectFactory,
                community_id=plan.pk,
                name=f"{plan.name}服务中心新建工程",
                state_project=Decimal("400000"),
                organization_department=Decimal("200000"),
                budget=Decimal("250000"),
            )
            project.compute()
            self.add(project)
        for org in self.rows[OrganizationFactory._meta.model]:
            if org.community_id == plan.pk and org.hangs_plaque:
                self.new(
                    PlaqueContributionFactory,
                    community_id=plan.pk,
                    year=year,
                    organization_name=org.name,
                    amount=Decimal(rng.choice([500, 800, 1000])),
                    practical_things=rng.randint(1, 2),
                )
        members = plan.people["committee"] + plan.people.get("branch", [])
        # Looked up once per city: computing each row's benchmark would ask the database every time.
        tenant_id = plan.town.tenant_id
        if tenant_id not in self.benchmarks:
            self.benchmarks[tenant_id] = pay_benchmarks(tenant_id, year)
        for member in members:
            if member.role in ("secretary", "director"):
                pay = fast_build(
                    CadrePayFactory,
                    community_id=plan.pk,
                    year=year,
                    member_id=member.pk,
                    post="secretary_or_director",
                    monthly_pay=Decimal("1500"),
                    benchmark=self.benchmarks[tenant_id]["secretary_or_director"],
                )
                self.add(pay)
        if plan.kind == "village":
            recognised = rng.random() < 0.85
            self.new(
                VillageRecognitionFactory,
                community_id=plan.pk,
                year=year,
                recognised=recognised,
                confirmed_by_district=recognised and rng.random() < 0.9,  # a few still wait for the district
            )


# ---- the benchmarks' city -------------------------------------------------------------------------


class CityGenerator:
    """Generates one tenant of `n` communities for the benchmarks and drills: units, communities and
    every record the measures read, written with bulk_create (no history) in chunks of CHUNK
    communities, each with its own random stream (the same data whichever process writes it)."""

    def __init__(self, n: int, year: int, seed: int):
        self.n = n
        self.year = year
        self.seed = seed
        self.rng = random.Random(seed + n)  # plans; each chunk's records have their own (see write_share)
        self.plans: list[Plan] = []
        self.counts: Counter = Counter()
        self.profiles: Counter = Counter()

    # -- the tree -----------------------------------------------------------------------------------
    def build_units(self, tenant):
        districts = min(len(DISTRICTS), max(2, round(self.n / 2000)))
        central = max(1, round(districts * 0.4))
        chosen = [d for d in DISTRICTS if d[1] == "central"][:central] + [
            d for d in DISTRICTS if d[1] == "outer"
        ][: districts - central]
        towns_total = max(districts, round(self.n / 100))
        city = CityFactory(tenant=tenant, name=tenant.name, code=str(self.year))
        towns = []  # (unit, zone, town style)
        for index, (name, zone) in enumerate(chosen):
            district = DistrictFactory(tenant=tenant, parent=city, name=name, zone=zone)
            count = towns_total // districts + (index < towns_total % districts)
            used = Counter()
            for _ in range(count):
                if zone == "central":
                    style, suffix = "street", "街道"
                else:
                    style = self.rng.choice(["town", "town", "township", "sumu"])
                    suffix = {"town": "镇", "township": "乡", "sumu": "苏木"}[style]
                town_name = self._unique(used, self.rng.choice(TOWN_BASES), suffix)
                town = TownFactory(tenant=tenant, parent=district, name=town_name)
                towns.append((town, zone, style))
        return city, towns

    def plan_communities(self, towns) -> list[Plan]:
        n, rng = self.n, self.rng
        per_town = [n // len(towns) + (i < n % len(towns)) for i in range(len(towns))]
        central = sum(count for (_, zone, _), count in zip(towns, per_town, strict=True) if zone == "central")
        outer = n - central
        urban_share = max(0.0, (0.60 * n - central) / outer) if outer else 0.0
        rural_share = 0.15 * n / outer if outer else 0.0
        plans = []
        for (town, zone, style), count in zip(towns, per_town, strict=True):
            short = town.name.removesuffix("街道").removesuffix("镇").removesuffix("乡").removesuffix("苏木")
            # V-ONE is the town's share of villages whose secretary is also the director.
            one_person_rate = 0.85 if rng.random() < 0.85 else 0.35
            if zone == "central":
                kinds = ["urban"] * count
            else:
                urban = round(count * urban_share)
                rural = round(count * rural_share)
                kinds = ["urban"] * urban + ["rural"] * rural + ["village"] * (count - urban - rural)
            used = Counter()
            for index, kind in enumerate(kinds):
                if kind == "urban":
                    if zone == "outer" and index < 2:
                        subtype = "market_town"
                        name = f"{short}集镇社区" if index == 0 else f"{short}集镇第二社区"
                    else:
                        roll = rng.random()
                        cut = (0.72, 0.86) if zone == "central" else (0.80, 0.92)
                        subtype = (
                            "ordinary" if roll < cut[0] else "unit" if roll < cut[1] else "new_residential"
                        )
                        name = self._unique(used, rng.choice(URBAN_NAMES), "社区")
                elif kind == "rural":
                    subtype = "ordinary"
                    name = self._unique(used, rng.choice(RURAL_NAMES), "社区")
                else:
                    subtype = "ordinary"
                    pool, suffix = (GACHA_NAMES, "嘎查") if style == "sumu" else (VILLAGE_NAMES, "村")
                    name = self._unique(used, rng.choice(pool), suffix)
                plan = Plan(town, zone, kind, subtype, name, one_person_rate)
                self.choose(plan)
                plans.append(plan)
        return plans

    @staticmethod
    def _unique(used: Counter, base: str, suffix: str) -> str:
        used[base] += 1
        return f"{base}{suffix}" if used[base] == 1 else f"{base}{used[base]}{suffix}"

    def choose(self, plan: Plan):
        choose_profile(plan, self.rng, BENCH)
        self.profiles[(plan.kind, plan.subtype, plan.profile)] += 1
        size(plan, self.rng)

    # -- the whole city -------------------------------------------------------------------------------
    def prepare(self, tenant):
        """The unit tree (written now) and the plan of every community (written by `write_share`)."""
        city, towns = self.build_units(tenant)
        self.plans = self.plan_communities(towns)
        for plan in self.plans:
            if plan.kind == "rural" and "bad_name" not in plan.gaps:
                plan.name = f"{plan.town.name}{plan.name}"
        return city

    def write_share(self, share: int, shares: int) -> Counter:
        """Write every `shares`-th chunk from `share` on, in one transaction; returns the row counts."""
        with transaction.atomic():
            for number, start in enumerate(range(0, len(self.plans), CHUNK)):
                if number % shares == share:
                    records = Records(self.year, random.Random(self.seed * 100_003 + self.n * 7 + number))
                    records.write(self.plans[start : start + CHUNK])
                    self.counts.update(records.counts)
        return self.counts


_GENERATOR: CityGenerator | None = None  # set before forking: the writing processes inherit it


def _write_share(share_and_shares: tuple[int, int]) -> Counter:
    try:
        return _GENERATOR.write_share(*share_and_shares)
    finally:
        connections.close_all()


def generate_city(generator: CityGenerator, tenant, processes: int):
    """Units and plans in this process, then the chunks written by `processes` forked processes
    (Django's per-row work is what takes the time; PostgreSQL keeps up with two writers)."""
    global _GENERATOR
    city = generator.prepare(tenant)
    if processes <= 1:
        generator.write_share(0, 1)
        return city
    connections.close_all()  # a forked child must not share the parent's connection
    _GENERATOR = generator
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for counts in pool.map(_write_share, [(share, processes) for share in range(processes)]):
                generator.counts.update(counts)
    finally:
        _GENERATOR = None
    return city


# ---- the demo -------------------------------------------------------------------------------------

# The community whose records reach 示范 once its evidence is judged: the demo journey's subject.
JOURNEY_COMMUNITY = "四十里集镇社区"
# The demo's gaps: one or two vetoes and up to two other gaps a town meets (a station too small, a
# meeting without minutes, ...), the commonest twice as often; the demo has no community without a
# station.
COMMON_GAPS = frozenset({"small_station", "no_q4_meeting", "no_minutes", "few_social_orgs", "small_center"})
DEMO = Policy(every_gap=False, most=2, extra=2, common=COMMON_GAPS)


def demo_plan(town, name: str, kind: str, subtype: str) -> tuple[Plan, random.Random]:
    """A demo community's plan, decided by the community alone (its town, name, kind and subtype), so
    that it is the same on every machine and can be recomputed; with the random stream that goes on
    to its facts. The journey's community is always `model`; a rural one named against R-NAME has
    that gap."""
    rng = random.Random(f"{town.name}/{name}")
    plan = Plan(town, town.parent.zone, kind, subtype, name, one_person_rate=1.0)
    if kind == RURAL and not Community(unit=town, name=name).follows_rural_naming():
        plan.forced = {"bad_name"}
    choose_profile(plan, rng, DEMO, profile="model" if name == JOURNEY_COMMUNITY else None)
    size(plan, rng)
    return plan, rng


def demo_community(town, name: str, kind: str, subtype: str, year: int) -> dict:
    """The fields of a new demo community (its plan's size and facts)."""
    plan, rng = demo_plan(town, name, kind, subtype)
    return community_fields(plan, rng, year)


def profile_for(community) -> tuple[str, set[str]]:
    """A demo community's profile and its gaps and fails, recomputed from the community."""
    plan, _ = demo_plan(community.unit, community.name, community.kind, community.subtype)
    return plan.profile, plan.gaps | plan.fails


# Every minuted demo meeting shares one small, valid PDF (evidence is checked by its bytes).
MINUTES_FILE = "evidence/demo/minutes.pdf"


def demo_evidence() -> dict:
    """The demo's evidence: the stored minutes file, written once (a later run finds it in place)."""
    if not default_storage.exists(MINUTES_FILE):
        default_storage.save(MINUTES_FILE, ContentFile(_minutes_pdf()))
    return {"minutes": MINUTES_FILE, "photo": ""}


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
