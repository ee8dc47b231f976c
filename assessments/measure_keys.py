"""The measures an auto indicator may name, until the measure registry in `core` replaces this constant.

Each key is documented in `assessments/MEASURES.md` (parameters, what it computes from which records,
its unit). Validation of an indicator (`assessments.thresholds`) only accepts keys listed here, the
parameters listed with them (plus `GENERIC_PARAMS`), and thresholds that suit the measure's kind: a
number measure is compared with ≥ ≤ = or a range, a list measure with "包含全部".

Every measure is computed for a set of communities and a year and gives one value per community:
a number (counts, areas, yuan, exact fractions for shares; 1/0 for yes/no), or a list of codes.
"""

from typing import NamedTuple

from communities.models import Organization
from facilities.models import (
    FIVE_IMPROVEMENTS,
    FIVE_NOS_FIVE_UPGRADES,
    FIVE_ONES,
    FOUR_LINKS,
    FUNCTIONS,
    ONE_STOP_SERVICES,
    PLAQUES,
    ROOMS,
    RURAL_BOARDS,
    STATIONS,
    WINDOWS,
)
from personnel.models import SubCommittee

NUMBER = "number"
LIST = "list"

QUARTERS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
POSTED = {"procedures_posted": "办事程序、制度上墙公示"}
APPRAISAL_ITEMS = {
    f"{subject}-{half}": f"{subject_label}({half_label})"
    for subject, subject_label in (
        ("cadres", "干部民主评议"),
        ("party_members", "党员评议"),
        ("audit", "财务审计"),
    )
    for half, half_label in ((1, "上半年"), (2, "下半年"))
}
ENVIRONMENT_ITEMS = dict(FOUR_LINKS + FIVE_IMPROVEMENTS + FIVE_ONES + FIVE_NOS_FIVE_UPGRADES)

# Parameters every measure accepts (see MEASURES.md, "Parameters of every measure").
GENERIC_PARAMS = {
    "exempt_subtypes": "不适用的社区类型",
    "only_subtypes": "仅适用的社区类型",
}

BODY = {"body": "组织"}
FACILITY_KIND = {"kind": "设施类别"}


class Measure(NamedTuple):
    label: str  # Chinese name shown in readable thresholds ("≥ 社区人口 × 0.1")
    unit: str = ""  # unit of a number measure ("平方米", "户", …); "" for exact shares
    kind: str = NUMBER  # NUMBER or LIST
    params: dict[str, str] = {}  # parameter name → Chinese label
    codes: dict = {}  # for LIST measures: the codes the list may hold → Chinese labels
    yes_no: bool = False  # a NUMBER measure that is 1 (yes) or 0 (no)
    needs_data: str = ""  # what no record model holds yet (see MEASURES.md)


MEASURES: dict[str, Measure] = {
    # ---- the community record ----
    "households": Measure("户数", "户"),
    "residents": Measure("社区人口", "人"),
    "new_area_committee_warranted": Measure(
        "新建住宅区达到单独成立居委会条件",
        yes_no=True,
        params={
            "min_households": "最低户数",
            "min_occupancy": "最低入住率",
            "group_min_households": "成立居民小组的最低户数",
        },
        needs_data="新建住宅区的入住率",
    ),
    "committee_setup_on_time": Measure(
        "新社区按期完成居委会组建", yes_no=True, params={"months": "期限(月)", **BODY}
    ),
    "new_community_filed_on_time": Measure(
        "新社区按期报市备案",
        yes_no=True,
        params={"deadline_month": "截止月", "deadline_day": "截止日"},
        needs_data="新成立社区报市民政局备案的日期",
    ),
    "roster_filed_by_year_end": Measure(
        "新一届居委会名录年底前备案",
        yes_no=True,
        params=BODY,
        needs_data="新一届居委会名录报市民政局备案的日期",
    ),
    "rural_naming": Measure(
        "农村社区及服务中心名称规范",
        kind=LIST,
        codes={"community_name": "社区名称为“镇名+××社区”", "centre_name": "服务中心名称为“社区名+服务中心”"},
    ),
    "service_scope_met": Measure(
        "中心村社区服务范围",
        kind=LIST,
        params={
            "min_villages": "最少村数",
            "max_villages": "最多村数",
            "min_population": "最少人口",
            "max_population": "最多人口",
            "radius_km": "服务半径(公里)",
        },
        codes={"villages": "涵盖村数", "population": "服务人口", "radius": "服务半径"},
    ),
    # ---- funding ----
    "work_fund_paid": Measure("工作经费实际到位", "元"),
    "work_fund_due": Measure("应拨工作经费", "元", params={"tiers": "按户数分档"}),
    # ---- community life ----
    "meetings": Measure("会议次数", "次", params={"kind": "会议类别", "with_minutes": "须有会议记录"}),
    "meeting_quarters": Measure(
        "召开会议的季度",
        kind=LIST,
        params={"kind": "会议类别", "with_minutes": "须有会议记录"},
        codes=QUARTERS,
    ),
    "disclosure_quarters": Measure("居务公开的季度", kind=LIST, codes=QUARTERS),
    "organizations": Measure("社区组织数", "个", params={"kind": "组织类别"}),
    "organization_kinds": Measure("已有的组织类别", kind=LIST, codes=dict(Organization.Kind.choices)),
    "registered_volunteers": Measure("注册志愿者人数", "人"),
    "activities": Measure("活动次数", "次", params={"kind": "活动类别"}),
    # ---- personnel: the committee and its organisation ----
    "subcommittee_kinds": Measure("已设的下属委员会", kind=LIST, codes=dict(SubCommittee.Kind.choices)),
    "subcommittees_well_formed": Measure(
        "组成符合要求的下属委员会",
        kind=LIST,
        params={"min_representatives": "最少居民代表", "max_representatives": "最多居民代表"},
        codes=dict(SubCommittee.Kind.choices),
    ),
    "residents_groups_well_formed_share": Measure(
        "符合要求的居民小组比例",
        params={"min_households": "每组最少户数", "max_households": "每组最多户数"},
    ),
    "households_per_building_leader": Measure("每名门栋长联系户数", "户"),
    "body_members": Measure("组织成员人数", "人", params=BODY),
    "committee_seats": Measure("居委会职数(专职成员)", "人", params=BODY),
    "expected_committee_seats": Measure(
        "应设居委会职数",
        "人",
        params={"households_per_seat": "每职对应户数", "min": "最少职数", "max": "最多职数"},
    ),
    "committee_full_time_share": Measure("专职成员占居委会成员比例", params=BODY),
    "households_per_committee_member": Measure("居委会成员人均联系户数", "户", params=BODY),
    "professional_staff": Measure("社区专职工作人员", "人"),
    "professional_staff_allowed": Measure(
        "专职工作人员上限", "人", params={"central": "中心城区上限", "outer": "外围区县上限"}
    ),
    "professional_staff_required": Measure(
        "专职工作人员下限", "人", params={"from_households": "须配备的起始户数", "minimum": "最少人数"}
    ),
    "committee_trained_share": Measure(
        "按要求参加培训的居委会成员比例",
        params={
            **BODY,
            "director_district_trainings": "主任每年区级培训次数",
            "member_district_trainings": "其他成员每年区级培训次数",
            "new_director_city_training": "新任主任须参加市级培训",
        },
    ),
    "social_worker_certificates": Measure("持社会工作者证书人数", "人"),
    "latest_election_direct": Measure("最近一次换届为直接选举", yes_no=True, params=BODY),
    "candidates_eligible_share": Measure(
        "符合条件的候选人比例", params={**BODY, "min_residence_years": "最短居住年限"}
    ),
    # ---- personnel: villages ----
    "expected_villagers_committee_size": Measure(
        "应设村委会职数",
        "人",
        params={"small": "小村职数", "large": "大村职数", "large_from_residents": "大村起始人口"},
    ),
    "party_branch_size_fits": Measure(
        "村党支部设置符合党员人数",
        yes_no=True,
        params={
            "committee_min": "支委会最少人数",
            "committee_max": "支委会最多人数",
            "committee_from_party_members": "设支委会的最少党员数",
            "small_max": "不设支委会时最多人数",
        },
        needs_data="村党员人数",
    ),
    "two_committees_size": Measure("村“两委”成员人数(去重)", "人"),
    "cross_appointment_share": Measure("“两委”成员交叉任职比例"),
    "town_secretary_director_share": Measure("本乡镇书记、主任“一人兼”的村比例"),
    "branch_candidates_noticed_share": Measure(
        "按期公示的支部候选人比例",
        params={"notice_days": "公示天数", "probation_months": "试用期(月)"},
        needs_data="村党支部候选人的公示起止日期和试用期",
    ),
    "village_election_methods": Measure(
        "村级选举方式",
        kind=LIST,
        codes={
            "villagers_committee_direct": "村委会直接选举",
            "party_branch_two_recommendations": "党支部“两推一选”",
        },
    ),
    "cadres_training_met_share": Measure(
        "培训达标的村干部比例",
        params={
            "leader_days": "书记、主任每年培训天数",
            "other_days": "其他村干部每年培训天数",
            "practical_techniques": "掌握实用技术项数",
        },
    ),
    "appraisals": Measure("已开展的评议与审计", kind=LIST, codes=APPRAISAL_ITEMS),
    "talk_quarters": Measure("开展谈心谈话的季度", kind=LIST, codes=QUARTERS),
    "party_cases_compliant_share": Measure(
        "符合程序的党员发展比例", params={"approval_above_percent": "民主评议赞成率须超过(%)"}
    ),
    "pay_type_compliance_share": Measure("报酬方式符合规定的村干部比例"),
    # ---- facilities ----
    "facilities": Measure("服务站(中心)数", "个", params=FACILITY_KIND),
    "station_area_m2": Measure(
        "服务站(中心)建筑面积", "平方米", params={**FACILITY_KIND, "with_yard_or_square": "须有院落或广场"}
    ),
    "station_activity_share": Measure("居民活动用房占服务站面积比例", params=FACILITY_KIND),
    "station_rooms": Measure("功能用房", kind=LIST, params=FACILITY_KIND, codes=dict(ROOMS)),
    "station_plaques": Measure("服务站挂牌", kind=LIST, params=FACILITY_KIND, codes=dict(PLAQUES)),
    "station_windows": Measure(
        "服务窗口", kind=LIST, params=FACILITY_KIND, codes={**dict(WINDOWS), **POSTED}
    ),
    "station_boards_met": Measure(
        "宣传栏、公开栏数量达标",
        kind=LIST,
        params={"publicity_boards": "宣传栏最少块数", "disclosure_boards": "公开栏最少块数"},
        codes={"publicity_boards": "宣传栏", "disclosure_boards": "公开栏"},
    ),
    "electronic_screen": Measure("电子显示屏", yes_no=True),
    "hall_services": Measure("便民服务大厅办理事项", kind=LIST, codes={**dict(ONE_STOP_SERVICES), **POSTED}),
    "center_stations": Measure("服务中心下设服务站", kind=LIST, codes=dict(STATIONS)),
    "center_functions": Measure("服务中心功能", kind=LIST, codes=dict(FUNCTIONS)),
    "rural_boards": Measure("农村社区三栏", kind=LIST, codes=dict(RURAL_BOARDS)),
    "environment_items": Measure(
        "环境检查已达到的项目", kind=LIST, params={"field": "检查表"}, codes=ENVIRONMENT_ITEMS
    ),
}
