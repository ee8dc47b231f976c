"""The measures read off the personnel records (see docs/measures.md, "Personnel").

Every measure reads its rows through the batch's shared caches, so a chunk costs one query per
table whatever the number of communities and measures: the members, the elections, the candidates,
the year's trainings, and so on. Persons are matched across bodies by name within the community:
a cross-appointed cadre is one `Member` row per body.
"""

import datetime
import math
from collections import defaultdict
from fractions import Fraction

from django.db.models import Count, Max, Q

from communities.models import Community
from core.measures import LIST, NOT_APPLICABLE, QUARTERS, exact, quarter, register

from .models import (
    Appraisal,
    BuildingLeader,
    Election,
    ElectionCandidate,
    Member,
    PartyMemberCase,
    ResidentsGroup,
    SubCommittee,
    Talk,
    Training,
)

Body = Member.Body
Role = Member.Role

BODY = {"body": "组织"}
BODY_CODES = {"body": dict(Body.choices)}
TWO_COMMITTEES = (Body.PARTY_BRANCH, Body.VILLAGERS_COMMITTEE)
# V-PAY: these three are paid a fixed (structured) wage, every other village cadre per day worked.
FIXED_PAY_ROLES = {Role.SECRETARY, Role.DIRECTOR, Role.ACCOUNTANT}
# The two main village leaders, trained 7 days a year rather than 3 (V-TRAIN).
VILLAGE_LEADERS = {(Body.PARTY_BRANCH, Role.SECRETARY), (Body.VILLAGERS_COMMITTEE, Role.DIRECTOR)}
APPRAISAL_ITEMS = {
    f"{subject}-{half}": f"{subject_label}({half_label})"
    for subject, subject_label in Appraisal.Subject.choices
    for half, half_label in Appraisal.Half.choices
}


# ---- helpers ------------------------------------------------------------------------------------
def _share(passed: int, total: int) -> Fraction | None:
    return Fraction(passed, total) if total else None


def _months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later; a day the month lacks (30 February) rolls over to
    the 1st of the next month, as the candidates' one-year rule of the personnel records does."""
    index = day.year * 12 + day.month - 1 + months  # months since year 0
    try:
        return day.replace(year=index // 12, month=index % 12 + 1)
    except ValueError:
        return datetime.date((index + 1) // 12, (index + 1) % 12 + 1, 1)


def _members(batch) -> dict[int, list[dict]]:
    return batch.grouped(
        "personnel.members",
        Member.objects.values(
            "id", "community_id", "name", "body", "role", "full_time", "social_worker_certificate", "pay_type"
        ),
    )


def _names(rows: list[dict], *bodies: str) -> set[str]:
    return {row["name"] for row in rows if row["body"] in bodies}


def _elections(batch) -> dict[int, list[dict]]:
    """Every election of the batch, oldest first."""
    return batch.grouped(
        "personnel.elections",
        Election.objects.order_by("held_on", "id").values(
            "id", "community_id", "body", "held_on", "direct", "method", "roster_filed_on"
        ),
    )


def _latest_election(batch, rows: list[dict], body: str) -> dict | None:
    """The body's latest election held by the end of the year."""
    held = [row for row in rows if row["body"] == body and row["held_on"] <= batch.end]
    return held[-1] if held else None


def _candidates(batch) -> dict[int, list[dict]]:
    return batch.grouped(
        "personnel.candidates",
        ElectionCandidate.objects.values(
            "community_id",
            "election_id",
            "resident_since",
            "on_election_committee",
            "notice_started_on",
            "election__held_on",
            "election__body",
        ),
    )


def _trainings(batch) -> dict[int, list[dict]]:
    """The trainings held in the year, with the trainee's name (kept on the record, else the member's)."""
    return batch.grouped(
        "personnel.trainings",
        Training.objects.filter(held_on__range=(batch.start, batch.end)).values(
            "community_id", "trainee_name", "trainee__name", "organiser_tier", "days"
        ),
    )


def _trainee(row: dict) -> str:
    return row["trainee_name"] or row["trainee__name"] or ""


def _members_by_body(batch) -> dict[int, dict[str, list[dict]]]:
    """The batch's members grouped by community and then by body, once per batch (several measures
    ask for one body's members of every community)."""

    def load():
        grouped = {}
        for pk, rows in _members(batch).items():
            bodies = grouped[pk] = {}
            for row in rows:
                bodies.setdefault(row["body"], []).append(row)
        return grouped

    return batch.rows("personnel.members_by_body", load)


def _per_body(batch, body: str, compute) -> dict:
    """{id: compute(community, the body's members)}."""
    members = _members_by_body(batch)
    return {pk: compute(community, members[pk].get(body, [])) for pk, community in batch.communities.items()}


# ---- the committee and its organisation (U) -----------------------------------------------------
@register(
    "committee_setup_on_time",
    "新社区按期完成居委会组建",
    yes_no=True,
    params={"months": "期限(月)", **BODY},
    param_codes=BODY_CODES,
    reads=("personnel.Election",),
)
def committee_setup_on_time(batch, months=3, body=Body.RESIDENTS_COMMITTEE):
    elections = _elections(batch)

    def value(pk, community):
        deadline = _months_after(community.established_on, int(months))
        if not (batch.in_year(community.established_on) or batch.in_year(deadline)):
            return NOT_APPLICABLE
        first = next((row for row in elections[pk] if row["body"] == body), None)
        return int(first is not None and first["held_on"] <= deadline)

    return {pk: value(pk, community) for pk, community in batch.communities.items()}


@register(
    "roster_filed_by_year_end",
    "新一届居委会名录年底前备案",
    yes_no=True,
    params=BODY,
    param_codes=BODY_CODES,
    reads=("personnel.Election",),
)
def roster_filed_by_year_end(batch, body=Body.RESIDENTS_COMMITTEE):
    def value(rows):
        held = [row for row in rows if row["body"] == body and batch.in_year(row["held_on"])]
        if not held:
            return NOT_APPLICABLE
        return int(all(row["roster_filed_on"] and row["roster_filed_on"] <= batch.end for row in held))

    return {pk: value(rows) for pk, rows in _elections(batch).items()}


def _subcommittees(batch) -> dict[int, list[dict]]:
    return batch.grouped(
        "personnel.subcommittees",
        SubCommittee.objects.values("community_id", "kind", "leader_id", "resident_representatives"),
    )


@register(
    "subcommittee_kinds",
    "已设的下属委员会",
    kind=LIST,
    codes=dict(SubCommittee.Kind.choices),
    reads=("personnel.SubCommittee",),
)
def subcommittee_kinds(batch):
    return {pk: sorted({row["kind"] for row in rows}) for pk, rows in _subcommittees(batch).items()}


@register(
    "subcommittees_well_formed",
    "组成符合要求的下属委员会",
    kind=LIST,
    params={"min_representatives": "最少居民代表", "max_representatives": "最多居民代表"},
    codes=dict(SubCommittee.Kind.choices),
    reads=("personnel.Member", "personnel.SubCommittee"),
)
def subcommittees_well_formed(batch, min_representatives=3, max_representatives=5):
    low, high = exact(min_representatives), exact(max_representatives)
    members = _members(batch)

    def kinds(pk, rows):
        # The leader must sit on this community's residents' or villagers' committee.
        committee = {row["id"] for row in members[pk] if row["body"] in Member.COMMITTEES}
        return sorted(
            {
                row["kind"]
                for row in rows
                if row["leader_id"] in committee and low <= row["resident_representatives"] <= high
            }
        )

    return {pk: kinds(pk, rows) for pk, rows in _subcommittees(batch).items()}


@register(
    "residents_groups_well_formed_share",
    "符合要求的居民小组比例",
    params={"min_households": "每组最少户数", "max_households": "每组最多户数"},
    reads=("personnel.ResidentsGroup",),
)
def residents_groups_well_formed_share(batch, min_households=200, max_households=300):
    low, high = exact(min_households), exact(max_households)
    groups = batch.grouped(
        "personnel.residents_groups",
        ResidentsGroup.objects.values("community_id", "households", "leader_elected_by_group"),
    )
    return {
        pk: _share(
            sum(1 for row in rows if low <= row["households"] <= high and row["leader_elected_by_group"]),
            len(rows),
        )
        for pk, rows in groups.items()
    }


@register(
    "households_per_building_leader", "每名门栋长联系户数", unit="户", reads=("personnel.BuildingLeader",)
)
def households_per_building_leader(batch):
    counts = batch.grouped(
        "personnel.building_leader_counts",
        BuildingLeader.objects.values("community_id").annotate(leaders=Count("id")).order_by(),
    )

    def value(community):
        leaders = sum(row["leaders"] for row in counts[community.pk])
        return Fraction(community.households, leaders) if leaders else None

    return batch.each(value)


@register(
    "body_members",
    "组织成员人数",
    unit="人",
    params=BODY,
    param_codes=BODY_CODES,
    whole=True,
    reads=("personnel.Member",),
)
def body_members(batch, body=Body.RESIDENTS_COMMITTEE):
    return _per_body(batch, body, lambda community, rows: len(rows))


@register(
    "committee_seats",
    "居委会职数(专职成员)",
    unit="人",
    params=BODY,
    param_codes=BODY_CODES,
    whole=True,
    reads=("personnel.Member",),
)
def committee_seats(batch, body=Body.RESIDENTS_COMMITTEE):
    # Part-time members may sit on the committee without taking a seat.
    return _per_body(batch, body, lambda community, rows: sum(1 for row in rows if row["full_time"]))


@register(
    "expected_committee_seats",
    "应设居委会职数",
    unit="人",
    params={"households_per_seat": "每职对应户数", "min": "最少职数", "max": "最多职数"},
    param_divisors=("households_per_seat",),
    whole=True,
    reads=(),
)
def expected_committee_seats(batch, households_per_seat=500, min=5, max=7):
    # `min` and `max` are the documented parameter names; the builtins are not needed here.
    per_seat, low, high = exact(households_per_seat), exact(min), exact(max)

    def value(community):
        # Half up, exactly: 3250 households / 500 = 6.5 → 7 (round() would give the even 6).
        seats = math.floor(Fraction(community.households) / per_seat + Fraction(1, 2))
        return int(low if seats < low else high if seats > high else seats)

    return batch.each(value)


@register(
    "committee_full_time_share",
    "专职成员占居委会成员比例",
    params=BODY,
    param_codes=BODY_CODES,
    reads=("personnel.Member",),
)
def committee_full_time_share(batch, body=Body.RESIDENTS_COMMITTEE):
    return _per_body(
        batch, body, lambda community, rows: _share(sum(1 for row in rows if row["full_time"]), len(rows))
    )


@register(
    "households_per_committee_member",
    "居委会成员人均联系户数",
    unit="户",
    params=BODY,
    param_codes=BODY_CODES,
    reads=("personnel.Member",),
)
def households_per_committee_member(batch, body=Body.RESIDENTS_COMMITTEE):
    return _per_body(
        batch, body, lambda community, rows: Fraction(community.households, len(rows)) if rows else None
    )


@register("professional_staff", "社区专职工作人员", unit="人", whole=True, reads=("personnel.Member",))
def professional_staff(batch):
    return _per_body(batch, Body.SERVICE_STATION, lambda community, rows: len(rows))


@register(
    "professional_staff_allowed",
    "专职工作人员上限",
    unit="人",
    params={"central": "中心城区上限", "outer": "外围区县上限"},
    whole=True,
    reads=(),
)
def professional_staff_allowed(batch, central=5, outer=4):
    caps = {"central": central, "outer": outer}
    # A district without a zone has no cap on record: no data rather than a guess.
    return batch.each(lambda community: caps.get(community.unit.parent.zone))


@register(
    "professional_staff_required",
    "专职工作人员下限",
    unit="人",
    params={"from_households": "须配备的起始户数", "minimum": "最少人数"},
    whole=True,
    reads=(),
)
def professional_staff_required(batch, from_households=1000, minimum=1):
    # A community under `from_households` households may have no professional staff at all.
    return batch.each(lambda community: minimum if community.households >= from_households else 0)


@register(
    "committee_trained_share",
    "按要求参加培训的居委会成员比例",
    params={
        **BODY,
        "director_district_trainings": "主任每年区级培训次数",
        "member_district_trainings": "其他成员每年区级培训次数",
        "new_director_city_training": "新任主任须参加市级培训",
    },
    param_codes=BODY_CODES,
    reads=("personnel.Election", "personnel.Member", "personnel.Training"),
)
def committee_trained_share(
    batch,
    body=Body.RESIDENTS_COMMITTEE,
    director_district_trainings=1,
    member_district_trainings=2,
    new_director_city_training=True,
):
    trainings, elections = _trainings(batch), _elections(batch)

    def share(community, rows):
        district, city = defaultdict(int), set()
        for training in trainings[community.pk]:
            if training["organiser_tier"] == Training.Tier.DISTRICT:
                district[_trainee(training)] += 1
            elif training["organiser_tier"] == Training.Tier.CITY:
                city.add(_trainee(training))
        # The city trains the director of a new term: required in a year the body was elected.
        elected = any(
            row["body"] == body and batch.in_year(row["held_on"]) for row in elections[community.pk]
        )

        def trained(member):
            if member["role"] != Role.DIRECTOR:
                return district[member["name"]] >= member_district_trainings
            city_needed = new_director_city_training and elected
            return district[member["name"]] >= director_district_trainings and (
                not city_needed or member["name"] in city
            )

        return _share(sum(1 for member in rows if trained(member)), len(rows))

    return _per_body(batch, body, share)


@register(
    "social_worker_certificates", "持社会工作者证书人数", unit="人", whole=True, reads=("personnel.Member",)
)
def social_worker_certificates(batch):
    return {
        pk: sum(1 for row in rows if row["social_worker_certificate"]) for pk, rows in _members(batch).items()
    }


@register(
    "latest_election_direct",
    "最近一次换届为直接选举",
    yes_no=True,
    params=BODY,
    param_codes=BODY_CODES,
    reads=("personnel.Election",),
)
def latest_election_direct(batch, body=Body.RESIDENTS_COMMITTEE):
    def value(rows):
        latest = _latest_election(batch, rows, body)
        return None if latest is None else int(latest["direct"])

    return {pk: value(rows) for pk, rows in _elections(batch).items()}


@register(
    "candidates_eligible_share",
    "符合条件的候选人比例",
    params={**BODY, "min_residence_years": "最短居住年限"},
    param_codes=BODY_CODES,
    reads=("personnel.Election", "personnel.ElectionCandidate"),
)
def candidates_eligible_share(batch, body=Body.RESIDENTS_COMMITTEE, min_residence_years=1):
    # A part of a month counts as a whole one: "at least" never rounds in the candidate's favour.
    months = math.ceil(exact(min_residence_years) * 12)
    candidates = _candidates(batch)

    def eligible(row):
        lived_long_enough = _months_after(row["resident_since"], months) <= row["election__held_on"]
        return lived_long_enough and not row["on_election_committee"]

    def share(pk, rows):
        latest = _latest_election(batch, rows, body)
        if latest is None:
            return None
        standing = [row for row in candidates[pk] if row["election_id"] == latest["id"]]
        return _share(sum(1 for row in standing if eligible(row)), len(standing))

    return {pk: share(pk, rows) for pk, rows in _elections(batch).items()}


# ---- villages (V) -------------------------------------------------------------------------------
@register(
    "expected_villagers_committee_size",
    "应设村委会职数",
    unit="人",
    params={"small": "小村职数", "large": "大村职数", "large_from_residents": "大村起始人口"},
    whole=True,
    reads=(),
)
def expected_villagers_committee_size(batch, small=3, large=5, large_from_residents=1000):
    return batch.each(lambda community: small if community.residents < large_from_residents else large)


@register(
    "party_branch_size_fits",
    "村党支部设置符合党员人数",
    yes_no=True,
    params={
        "committee_min": "支委会最少人数",
        "committee_max": "支委会最多人数",
        "committee_from_party_members": "设支委会的最少党员数",
        "small_max": "不设支委会时最多人数",
    },
    reads=("personnel.Member",),
)
def party_branch_size_fits(
    batch, committee_min=3, committee_max=5, committee_from_party_members=7, small_max=2
):
    def fits(community, rows):
        if community.party_members is None:
            return None
        if community.party_members >= committee_from_party_members:
            return int(committee_min <= len(rows) <= committee_max)
        # Too few party members for a branch committee: a secretary, and at most a deputy.
        return int(1 <= len(rows) <= small_max)

    return _per_body(batch, Body.PARTY_BRANCH, fits)


@register("two_committees_size", "村“两委”成员人数(去重)", unit="人", whole=True, reads=("personnel.Member",))
def two_committees_size(batch):
    return {pk: len(_names(rows, *TWO_COMMITTEES)) for pk, rows in _members(batch).items()}


@register("cross_appointment_share", "“两委”成员交叉任职比例", reads=("personnel.Member",))
def cross_appointment_share(batch):
    def share(rows):
        branch, committee = _names(rows, Body.PARTY_BRANCH), _names(rows, Body.VILLAGERS_COMMITTEE)
        return _share(len(branch & committee), len(branch | committee))

    return {pk: share(rows) for pk, rows in _members(batch).items()}


def _town_one_person_shares(batch) -> dict[int, Fraction | None]:
    """{town id: share of its villages whose branch secretary is also the committee director}, over
    every village of the batch's towns, not only those in the batch (two queries)."""
    towns = {community.unit_id for community in batch.communities.values()}
    villages = Community.objects.filter(unit_id__in=towns, kind=Community.Kind.VILLAGE)
    town_of = dict(villages.values_list("id", "unit_id"))
    secretaries, directors = defaultdict(set), defaultdict(set)
    leaders = Member.objects.filter(
        Q(body=Body.PARTY_BRANCH, role=Role.SECRETARY) | Q(body=Body.VILLAGERS_COMMITTEE, role=Role.DIRECTOR),
        community__in=villages.values("id"),
    )
    for row in leaders.values("community_id", "body", "name"):
        found = secretaries if row["body"] == Body.PARTY_BRANCH else directors
        found[row["community_id"]].add(row["name"])
    one_person, total = defaultdict(int), defaultdict(int)
    for village, town in town_of.items():
        total[town] += 1
        one_person[town] += bool(secretaries[village] & directors[village])
    return {town: _share(one_person[town], total[town]) for town in towns}


@register("town_secretary_director_share", "本乡镇书记、主任“一人兼”的村比例", reads=("personnel.Member",))
def town_secretary_director_share(batch):
    shares = batch.rows("personnel.town_one_person_shares", lambda: _town_one_person_shares(batch))
    return batch.each(lambda community: shares[community.unit_id])


@register(
    "branch_candidates_noticed_share",
    "按期公示的支部候选人比例",
    params={"notice_days": "公示天数"},
    reads=("personnel.Election", "personnel.ElectionCandidate"),
)
def branch_candidates_noticed_share(batch, notice_days=7):
    def noticed(row):
        start = row["notice_started_on"]
        return start is not None and (row["election__held_on"] - start).days >= notice_days

    def share(rows):
        standing = [
            row
            for row in rows
            if row["election__body"] == Body.PARTY_BRANCH and batch.in_year(row["election__held_on"])
        ]
        if not standing:
            return NOT_APPLICABLE
        return Fraction(sum(1 for row in standing if noticed(row)), len(standing))

    return {pk: share(rows) for pk, rows in _candidates(batch).items()}


@register(
    "village_election_methods",
    "村级选举方式",
    kind=LIST,
    codes={
        "villagers_committee_direct": "村委会直接选举",
        "party_branch_two_recommendations": "党支部“两推一选”",
    },
    reads=("personnel.Election",),
)
def village_election_methods(batch):
    def codes(rows):
        met = []
        committee = _latest_election(batch, rows, Body.VILLAGERS_COMMITTEE)
        if committee is not None and committee["direct"]:
            met.append("villagers_committee_direct")
        branch = _latest_election(batch, rows, Body.PARTY_BRANCH)
        if branch is not None and branch["method"] == Election.Method.TWO_RECOMMENDATIONS:
            met.append("party_branch_two_recommendations")
        return sorted(met)

    return {pk: codes(rows) for pk, rows in _elections(batch).items()}


@register(
    "cadres_training_met_share",
    "培训达标的村干部比例",
    params={
        "leader_days": "书记、主任每年培训天数",
        "other_days": "其他村干部每年培训天数",
        "practical_techniques": "掌握实用技术项数",
    },
    reads=("personnel.Member", "personnel.Training"),
)
def cadres_training_met_share(batch, leader_days=7, other_days=3, practical_techniques=2):
    leader_days, other_days = exact(leader_days), exact(other_days)
    trainings = _trainings(batch)
    # Techniques once mastered stay mastered: the highest count recorded up to the end of the year.
    techniques = batch.grouped(
        "personnel.practical_techniques",
        Training.objects.filter(held_on__lte=batch.end)
        .values("community_id", "trainee_name", "trainee__name")
        .annotate(most=Max("practical_techniques"))
        .order_by(),
    )

    def share(pk, rows):
        cadres = _names(rows, *TWO_COMMITTEES)
        leaders = {row["name"] for row in rows if (row["body"], row["role"]) in VILLAGE_LEADERS}
        days, mastered = defaultdict(Fraction), defaultdict(int)
        for row in trainings[pk]:
            days[_trainee(row)] += Fraction(row["days"])
        for row in techniques[pk]:
            name = _trainee(row)
            mastered[name] = max(mastered[name], row["most"])

        def met(name):
            needed = leader_days if name in leaders else other_days
            return days[name] >= needed and mastered[name] >= practical_techniques

        return _share(sum(1 for name in cadres if met(name)), len(cadres))

    return {pk: share(pk, rows) for pk, rows in _members(batch).items()}


@register(
    "appraisals", "已开展的评议与审计", kind=LIST, codes=APPRAISAL_ITEMS, reads=("personnel.Appraisal",)
)
def appraisals(batch):
    rows = batch.grouped(
        "personnel.appraisals",
        Appraisal.objects.filter(year=batch.year).values("community_id", "subject", "half"),
    )
    return {pk: sorted({f"{row['subject']}-{row['half']}" for row in found}) for pk, found in rows.items()}


@register("talk_quarters", "开展谈心谈话的季度", kind=LIST, codes=QUARTERS, reads=("personnel.Talk",))
def talk_quarters(batch):
    talks = batch.grouped(
        "personnel.talks",
        Talk.objects.filter(held_on__range=(batch.start, batch.end)).values("community_id", "held_on"),
    )
    return {pk: sorted({quarter(row["held_on"]) for row in rows}) for pk, rows in talks.items()}


@register(
    "party_cases_compliant_share",
    "符合程序的党员发展比例",
    params={"approval_above_percent": "民主评议赞成率须超过(%)"},
    reads=("personnel.PartyMemberCase",),
)
def party_cases_compliant_share(batch, approval_above_percent=60):
    above = exact(approval_above_percent)
    # Both notice dates are required fields, so a case whose notice starts in the year has its
    # notice recorded; what remains to check is the approval ("不超过60%的,不能确定") and the exam.
    cases = batch.grouped(
        "personnel.party_cases",
        PartyMemberCase.objects.filter(notice_start__range=(batch.start, batch.end)).values(
            "community_id", "appraisal_approval_percent", "exam_passed"
        ),
    )

    def share(rows):
        if not rows:
            return NOT_APPLICABLE
        compliant = sum(1 for row in rows if row["appraisal_approval_percent"] > above and row["exam_passed"])
        return Fraction(compliant, len(rows))

    return {pk: share(rows) for pk, rows in cases.items()}


@register("pay_type_compliance_share", "报酬方式符合规定的村干部比例", reads=("personnel.Member",))
def pay_type_compliance_share(batch):
    def share(rows):
        # One person, one pay: judged per cadre (by name) over their rows on either committee.
        roles, pay_types = defaultdict(set), defaultdict(set)
        for row in rows:
            if row["body"] in TWO_COMMITTEES:
                roles[row["name"]].add(row["role"])
                pay_types[row["name"]].add(row["pay_type"])

        def complies(name):
            fixed = roles[name] & FIXED_PAY_ROLES
            due = Member.PayType.FIXED if fixed else Member.PayType.PER_DAY
            return pay_types[name] - {""} == {due}

        return _share(sum(1 for name in roles if complies(name)), len(roles))

    return {pk: share(rows) for pk, rows in _members(batch).items()}
