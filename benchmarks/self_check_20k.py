"""Benchmark: the annual self-check of a province-sized city (20,000 communities) run by a real Celery
worker, beside a 2,000-community city so that growth can be read off.

Target: 20,000 communities in under 60 s.

Needs PostgreSQL and Redis (defaults 127.0.0.1:5432, user postgres, and redis://127.0.0.1:6379/13, which
the benchmark owns: it is flushed before the worker starts). A throwaway database `bench_self_check` is
created and migrated; each city (tenant `bench-<N>-<year>`) is generated with bulk_create (no history
rows; two forked processes write the chunks) and reused by a later run when the database was kept
(`--keep`; `--skip-generate` keeps it too) and already holds it. Before every measured run the city's
earlier self-checks and self-check jobs are deleted, so each run is a first run.

Usage: `make bench-self-check` or `python -m benchmarks.self_check_20k [--communities N] [--compare M]
[--year Y] [--keep] [--skip-generate] [--generate-only] [--fresh]`.

The worker is `celery -A config worker --pool=solo --concurrency=1`, also given `-I` this module: with
BENCH_QUERY_LOG set, the module counts every statement each task sends (a Django execute wrapper) and
appends the count to that file, so the total is exact even without pg_stat_statements.
"""

import argparse
import math
import multiprocessing
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_COMMUNITIES, TARGET_SECONDS = 20_000, 60
DEFAULT_PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DEFAULT_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
CHUNK = 1000  # communities generated (and their rows held in memory) at a time
BATCH = 2000  # rows per INSERT
WORKER_NODE = "bench-self-check@%h"
QUERY_LOG_ENV = "BENCH_QUERY_LOG"


class BenchError(Exception):
    """A problem the user can fix (a service down, a missing database): printed without a traceback."""


# ---- inside the worker: count each task's statements ---------------------------------------------


def _install_worker_query_counter(path: str) -> None:
    from celery.signals import task_postrun, task_prerun

    running = {}

    @task_prerun.connect(weak=False)
    def _start(task_id=None, task=None, args=None, **kwargs):
        from django.db import connection

        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        wrapper = connection.execute_wrapper(counter)
        wrapper.__enter__()
        running[task_id] = (wrapper, count)

    @task_postrun.connect(weak=False)
    def _stop(task_id=None, task=None, args=None, **kwargs):
        wrapper, count = running.pop(task_id, (None, None))
        if wrapper is None:
            return
        wrapper.__exit__(None, None, None)
        job = args[0] if args and isinstance(args[0], int) else ""
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{task.name}\t{job}\t{count[0]}\n")


if os.environ.get(QUERY_LOG_ENV) and "celery" in Path(sys.argv[0]).name:
    _install_worker_query_counter(os.environ[QUERY_LOG_ENV])


# ---- services and the throwaway database ----------------------------------------------------------


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{path}", parts.query, parts.fragment))


def pg_connect(url: str, dbname: str = "postgres"):
    import psycopg2

    parts = urlsplit(url)
    try:
        connection = psycopg2.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname=dbname,
            connect_timeout=5,
        )
    except psycopg2.OperationalError as exc:
        raise BenchError(
            f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} as {parts.username}: "
            f"{str(exc).strip()}\nStart it (e.g. `pg_ctlcluster 15 main start`) or pass --pg URL."
        ) from exc
    connection.autocommit = True
    return connection


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as exc:
        raise BenchError(
            f"Redis is not reachable at {url}: {exc}\n"
            "Start it (e.g. `redis-server --daemonize yes`) or pass --redis URL, or use --generate-only."
        ) from exc


def database_exists(pg_url: str, name: str) -> bool:
    connection = pg_connect(pg_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        connection.close()


def create_database(pg_url: str, name: str) -> bool:
    if database_exists(pg_url, name):
        return False
    connection = pg_connect(pg_url)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return True


def drop_database(pg_url: str, name: str) -> None:
    connection = pg_connect(pg_url)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


# ---- the city: units and community plans ----------------------------------------------------------

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

# Kinds of gap a community may have: each makes one or two indicators of the lowest level fail.
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
# Indicators only the model level (示范) asks for: a "qualified" community fails one or two of them.
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
}
# V-ONE (model) is a town's figure: towns with few "one person" villages fail it for all their villages.
VILLAGE_MODEL_FAILS = {"talk_missing_quarter": "V-TALK", "pay_wrong": "V-PAY"}

MINUTES = "evidence/bench/minutes.pdf"  # evidence paths: the measures read whether one is recorded
PHOTO = "evidence/bench/photo.jpg"
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
    )

    def __init__(self, town, zone, kind, subtype, name, one_person_rate):
        self.town, self.zone, self.kind, self.subtype, self.name = town, zone, kind, subtype, name
        self.one_person_rate = one_person_rate
        self.gaps: set[str] = set()
        self.fails: set[str] = set()
        self.new = self.elected_this_year = False
        self.people: dict = {}


def expected_seats(households: int) -> int:
    return min(7, max(5, (2 * households + 500) // 1000))  # households / 500, half up, held at 5..7


class CityGenerator:
    """Generates one tenant of `n` communities: units, communities and every record the measures read,
    written with bulk_create (no history) in chunks of CHUNK communities."""

    def __init__(self, models, n: int, year: int, seed: int):
        self.m = models
        self.n = n
        self.year = year
        self.seed = seed
        self.rng = random.Random(seed + n)  # plans; each chunk's records have their own (see write)
        self.plans: list[Plan] = []
        self.yesterday = date.today() - timedelta(days=1)
        self.rows: dict[type, list] = defaultdict(list)
        self.counts: Counter = Counter()
        self.profiles: Counter = Counter()

    # -- helpers ------------------------------------------------------------------------------------
    def add(self, obj):
        self.rows[type(obj)].append(obj)
        return obj

    def flush(self, *models):
        for model in models or list(self.rows):
            rows = self.rows.pop(model, [])
            if rows:
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
        rng, surnames, given = self.rng, self.m.SURNAMES, self.m.GIVEN

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

    # -- the tree -----------------------------------------------------------------------------------
    def build_units(self, tenant):
        Unit = self.m.Unit
        districts = min(len(DISTRICTS), max(2, round(self.n / 2000)))
        central = max(1, round(districts * 0.4))
        chosen = [d for d in DISTRICTS if d[1] == "central"][:central] + [
            d for d in DISTRICTS if d[1] == "outer"
        ][: districts - central]
        towns_total = max(districts, round(self.n / 100))
        city = Unit.objects.create(tenant=tenant, name=tenant.name, tier="city", code=str(self.year))
        towns = []  # (unit, zone, town style)
        for index, (name, zone) in enumerate(chosen):
            district = Unit.objects.create(tenant=tenant, parent=city, name=name, tier="district", zone=zone)
            count = towns_total // districts + (index < towns_total % districts)
            used = Counter()
            for _ in range(count):
                if zone == "central":
                    style, suffix = "street", "街道"
                else:
                    style = self.rng.choice(["town", "town", "township", "sumu"])
                    suffix = {"town": "镇", "township": "乡", "sumu": "苏木"}[style]
                town_name = self._unique(used, self.rng.choice(TOWN_BASES), suffix)
                town = Unit.objects.create(tenant=tenant, parent=district, name=town_name, tier="town")
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
                        name = self._unique(used, rng.choice(self.m.URBAN_NAMES), "社区")
                elif kind == "rural":
                    subtype = "ordinary"
                    name = self._unique(used, rng.choice(self.m.RURAL_NAMES), "社区")
                else:
                    subtype = "ordinary"
                    pool, suffix = (
                        (self.m.GACHA_NAMES, "嘎查") if style == "sumu" else (self.m.VILLAGE_NAMES, "村")
                    )
                    name = self._unique(used, rng.choice(pool), suffix)
                plan = Plan(town, zone, kind, subtype, name, one_person_rate)
                self.choose_profile(plan)
                plans.append(plan)
        return plans

    @staticmethod
    def _unique(used: Counter, base: str, suffix: str) -> str:
        used[base] += 1
        return f"{base}{suffix}" if used[base] == 1 else f"{base}{used[base]}{suffix}"

    def choose_profile(self, plan: Plan):
        rng = self.rng
        roll = rng.random()
        plan.profile = "model" if roll < 0.30 else "qualified" if roll < 0.55 else "gaps"
        if plan.kind == "urban":
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
        elif plan.kind == "rural":
            gaps, fails = dict(RURAL_GAPS), dict(RURAL_MODEL_FAILS)
            plan.elected_this_year = rng.random() < 0.12
        else:
            gaps, fails = dict(VILLAGE_GAPS), dict(VILLAGE_MODEL_FAILS)
        if plan.profile == "gaps":
            many = rng.random()
            count = 1 if many < 0.55 else 2 if many < 0.85 else rng.randint(3, 5)
            plan.gaps = set(rng.sample(sorted(gaps), min(count, len(gaps))))
            if "no_station" in plan.gaps:  # no station: its other gaps would be moot
                plan.gaps -= {"few_boards", "small_station", "missing_room", "small_activity_space"}
                plan.gaps -= {"missing_plaque", "procedures_not_posted"}
            if rng.random() < 0.5:
                plan.fails = set(rng.sample(sorted(fails), rng.randint(1, min(2, len(fails)))))
        elif plan.profile == "qualified":
            plan.fails = set(rng.sample(sorted(fails), rng.randint(1, min(2, len(fails)))))
        if plan.kind == "urban" and plan.profile != "model" and rng.random() < 0.6:
            # Many communities below 示范 keep no building leaders (or too few): U-BLDG is a model one.
            plan.fails.add("no_building_leaders" if rng.random() < 0.75 else "few_building_leaders")
        if {"no_building_leaders", "few_building_leaders"} <= plan.fails:
            plan.fails.discard("few_building_leaders")
        if "small_size" in plan.gaps:  # under 2000 households: too few for a crowded committee
            plan.fails.discard("crowded_committee")
        if plan.gaps & {"branch_too_big", "cross_low"}:  # either already decides the committee's size
            plan.gaps.discard("vc_size")
        self.profiles[(plan.kind, plan.subtype, plan.profile)] += 1
        self.size(plan)

    def size(self, plan: Plan):
        rng = self.rng
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

    # -- writing a chunk ----------------------------------------------------------------------------
    def write(self, plans: list[Plan], number: int):
        """Chunk `number`: its communities, then members and elections (their ids are referred to),
        then every other record. The chunk's own random stream makes the data the same whichever
        process writes it."""
        self.rng = random.Random(self.seed * 100_003 + self.n * 7 + number)
        Community = self.m.Community
        for plan in plans:
            established = (
                date(self.year, 1, self.rng.randint(2, 20))
                if plan.new
                else date(
                    self.rng.randint(1995, self.year - 10), self.rng.randint(1, 12), self.rng.randint(1, 28)
                )
            )
            filed_on = None
            if plan.new and "not_filed" not in plan.gaps:
                filed_on = min(
                    established + timedelta(days=self.rng.randint(30, 200)), date(self.year, 11, 30)
                )
            plan.obj = self.add(
                Community(
                    unit_id=plan.town.pk,
                    name=plan.name,
                    kind=plan.kind,
                    subtype=plan.subtype,
                    households=plan.households,
                    residents=plan.residents,
                    established_on=established,
                    address=f"{plan.town.name}{plan.name}{'办公楼' if plan.kind == 'urban' else '服务中心'}",
                    phone=f"0{self.rng.randint(310, 479)}-{self.rng.randint(2000000, 8999999)}",
                    filed_on=filed_on,
                    occupancy_percent=(
                        Decimal(
                            self.rng.randint(30, 49)
                            if "low_occupancy" in plan.gaps
                            else self.rng.randint(55, 96)
                        )
                        if plan.subtype == "new_residential"
                        else None
                    ),
                    party_members=(
                        (
                            self.rng.randint(4, 6)
                            if "few_party_members" in plan.gaps
                            else self.rng.randint(8, 60)
                        )
                        if plan.kind == "village"
                        else None
                    ),
                )
            )
        self.flush(Community)
        for plan in plans:
            plan.pk = plan.obj.pk
            if plan.kind == "village":
                self.village_people(plan)
            else:
                self.committee_people(plan)
        self.flush(self.m.Member, self.m.Election)
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
        self.flush()
        for plan in plans:
            plan.obj = None
            plan.people = {}

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

    def committee_people(self, plan: Plan):
        """A residents' committee (urban and rural), the party organisation, the station's staff, the
        committee's election (and an older one for some)."""
        m, rng, names = self.m, self.rng, self.name_maker()
        Member = m.Member
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
                self.add(
                    Member(
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
            )
        director = committee[0]
        party = []
        if "no_party_org" not in plan.fails:
            party.append(
                self.add(
                    Member(
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
            )
            for member in rng.sample(committee[1:], 2):
                party.append(
                    self.add(
                        Member(
                            community_id=plan.pk,
                            name=member.name,
                            body="party_organization",
                            role="member",
                            full_time=member.full_time,
                            resident_since=member.resident_since,
                            elected=True,
                        )
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
            self.add(
                Member(
                    community_id=plan.pk,
                    name=names(),
                    body="service_station",
                    role="staff",
                    full_time=True,
                    elected=False,
                    phone=f"15{rng.randint(100000000, 999999999)}",
                )
            )
            for _ in range(staff)
        ]
        direct = "indirect_election" not in plan.fails
        roster = None
        if held.year == self.year and "roster_not_filed" not in plan.gaps:
            roster = self.between(held + timedelta(days=15), held + timedelta(days=60))
        election = self.add(
            m.Election(
                community_id=plan.pk,
                body="residents_committee",
                held_on=held,
                direct=direct,
                method="direct" if direct else "representatives",
                voters=max(1, int(plan.residents * 0.75)),
                turnout_percent=Decimal(rng.randint(780, 960)) / 10,
                election_committee_size=rng.randint(5, 9),
                roster_filed_on=roster,
                evidence=PHOTO if rng.random() < 0.5 else "",
            )
        )
        if not plan.new and rng.random() < 0.3:  # the previous term: "latest" must win over it
            self.add(
                m.Election(
                    community_id=plan.pk,
                    body="residents_committee",
                    held_on=held - timedelta(days=5 * 365),
                    direct=not direct,
                    method="representatives" if direct else "direct",
                    voters=max(1, int(plan.residents * 0.7)),
                )
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
        m, rng, names = self.m, self.rng, self.name_maker()
        Member = m.Member
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
                    self.add(
                        Member(
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
                )
        this_year = "short_notice" in plan.gaps or rng.random() < 0.3
        held = self.day(self.year, 2) if this_year else date(self.year - 3, 4, rng.randint(10, 28))
        direct = "vc_not_direct" not in plan.gaps
        committee_election = self.add(
            m.Election(
                community_id=plan.pk,
                body="villagers_committee",
                held_on=held,
                direct=direct,
                method="direct" if direct else "representatives",
                voters=max(1, int(plan.residents * 0.8)),
                turnout_percent=Decimal(rng.randint(820, 980)) / 10,
                election_committee_size=rng.randint(5, 7),
            )
        )
        branch_held = held - timedelta(days=rng.randint(10, 30))
        branch_election = self.add(
            m.Election(
                community_id=plan.pk,
                body="party_branch",
                held_on=branch_held,
                direct=False,
                method="other" if "not_two_recommendations" in plan.gaps else "two_recommendations",
                voters=plan.obj.party_members,
            )
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
        rng, ElectionCandidate = self.rng, self.m.ElectionCandidate
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
                self.add(
                    ElectionCandidate(
                        community_id=plan.pk,
                        election_id=election.pk,
                        name=name,
                        resident_since=since,
                        on_election_committee=index == spoiled and "candidate_on_committee" in plan.gaps,
                        elected=elected,
                        notice_started_on=notice,
                    )
                )

    def trainings(self, plan: Plan):
        rng, Training, year = self.rng, self.m.Training, self.year
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
                    self.add(
                        Training(
                            community_id=plan.pk,
                            trainee_id=member.pk,
                            trainee_name=name,
                            organiser_tier=rng.choice(["district", "town"]),
                            held_on=self.day(year, rng.randint(1, 4)),
                            days=Decimal(part),
                            topic=rng.choice(TRAINING_TOPICS),
                            practical_techniques=rng.randint(2, 4) if number == 0 else 0,
                        )
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
                self.add(
                    Training(
                        community_id=plan.pk,
                        trainee_id=member.pk,
                        trainee_name=member.name,
                        organiser_tier=tier,
                        held_on=self.day(year, rng.randint(1, 4)),
                        days=Decimal(rng.choice([1, 2, 2, 3])),
                        topic=rng.choice(TRAINING_TOPICS),
                    )
                )
        for member in plan.people["station"][:1]:
            self.add(
                Training(
                    community_id=plan.pk,
                    trainee_id=member.pk,
                    trainee_name=member.name,
                    organiser_tier="town",
                    held_on=self.day(year - 1, rng.randint(1, 4)),
                    days=Decimal(1),
                    topic="便民服务窗口业务培训",
                )
            )

    # -- community life (every kind) ----------------------------------------------------------------
    def life(self, plan: Plan):
        m, rng, year = self.m, self.rng, self.year
        Meeting, pk = m.Meeting, plan.pk
        village = plan.kind == "village"
        general, joint = ("villagers", "two_committees") if village else ("residents", "party_joint")
        meetings = [(general, 1, MINUTES, 0)]
        if "no_q4_meeting" not in plan.gaps:
            meetings.append((general, 4, "" if "no_minutes" in plan.gaps else MINUTES, 1))
        else:
            meetings.append((general, 3, MINUTES, 1))
        for quarter in range(1, 5):
            if quarter == 3 and "no_q3_party_meeting" in plan.gaps:
                continue
            meetings.append((joint, quarter, MINUTES if rng.random() < 0.7 else "", 2))
        if not village:
            meetings.append(("consultation", 2, MINUTES, 3))
            if rng.random() < 0.5:
                meetings.append(("consultation", 3, "", 3))
            if plan.kind == "urban" and "no_units_meeting" not in plan.fails:
                meetings.append(("units_joint", 3, MINUTES, 2))
            if plan.profile == "model" or rng.random() < 0.3:
                meetings.append(("hearing", 2, MINUTES, 4))
            if rng.random() < 0.4:
                meetings.append(("residents_representatives", rng.randint(1, 4), "", 1))
        for kind, quarter, minutes, topic in meetings:
            self.add(
                Meeting(
                    community_id=pk,
                    kind=kind,
                    held_on=self.day(year, quarter),
                    topic=MEETING_TOPICS[topic],
                    attendees=rng.randint(15, 200),
                    minutes=minutes,
                    decisions="审议通过" if minutes else "",
                )
            )
        if not plan.new:  # last year's: read by nothing for this year
            for kind, quarter in ((general, 1), (general, 4), (joint, 2), (joint, 4)):
                self.add(
                    Meeting(
                        community_id=pk,
                        kind=kind,
                        held_on=self.day(year - 1, quarter),
                        topic=MEETING_TOPICS[2],
                        minutes=MINUTES,
                    )
                )
        for quarter in range(1, 5):
            if quarter == 4 and "no_q4_disclosure" in plan.gaps:
                continue
            self.add(
                m.Disclosure(
                    community_id=pk,
                    published_on=self.day(year, quarter),
                    topics=rng.sample(["plans", "work", "finances", "major"], rng.randint(2, 4)),
                    channel=rng.choice(["board", "board", "online", "meeting"]),
                    evidence=PHOTO if rng.random() < 0.6 else "",
                )
            )
        if not plan.new:
            for quarter in (2, 4):
                self.add(
                    m.Disclosure(
                        community_id=pk,
                        published_on=self.day(year - 1, quarter),
                        topics=["work", "finances"],
                        channel="board",
                    )
                )
        self.organisations(plan)
        share = 0.06 if "few_volunteers" in plan.gaps else rng.uniform(0.105, 0.16)
        for registration_year in (year - 1, year) if not plan.new else (year,):
            self.add(
                m.VolunteerRegistration(
                    community_id=pk, year=registration_year, registered=math.ceil(plan.residents * share)
                )
            )
        helping = rng.randint(3, 5) if "few_activities" in plan.gaps else rng.randint(6, 9)
        if village:
            helping = rng.randint(2, 5)
        kinds = [rng.choice(["volunteer", "mutual_aid"]) for _ in range(helping)]
        kinds += [rng.choice(["culture", "training", "other"]) for _ in range(rng.randint(1, 3))]
        for kind in kinds:
            self.add(
                m.Activity(
                    community_id=pk,
                    kind=kind,
                    held_on=self.day(year, rng.randint(1, 4)),
                    title=rng.choice(ACTIVITY_TITLES),
                    participants=rng.randint(15, 90),
                )
            )
        if not plan.new:
            for _ in range(2):
                self.add(
                    m.Activity(
                        community_id=pk,
                        kind="volunteer",
                        held_on=self.day(year - 1, rng.randint(1, 4)),
                        title=rng.choice(ACTIVITY_TITLES),
                    )
                )

    def organisations(self, plan: Plan):
        m, rng, year = self.m, self.rng, self.year
        Organization = m.Organization
        if plan.kind == "urban":
            social = rng.randint(6, 9) if "few_social_orgs" in plan.gaps else rng.randint(10, 13)
        else:
            social = rng.randint(2, 5)
        names = rng.sample(m.SOCIAL_ORGS, social)
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
            self.add(
                Organization(
                    community_id=plan.pk,
                    kind=kind,
                    name=f"{plan.name}{name}",
                    registered_on=None
                    if rng.random() < 0.3
                    else self.between(date(year - 8, 1, 1), date(year, 12, 31)),
                    members_count=rng.randint(10, 120),
                    hangs_plaque=rng.random() < 0.2,
                )
            )

    # -- urban: sub-committees, groups, building leaders, the station, the work fund ----------------
    def urban_organisation(self, plan: Plan):
        m, rng, year = self.m, self.rng, self.year
        committee, names = plan.people["committee"], plan.people["names"]
        kinds = ["mediation", "security", "public_health", "family_planning", "culture"]
        if "four_subcommittees" in plan.gaps:
            kinds.remove(rng.choice(kinds))
        crowded = rng.randrange(len(kinds)) if "subc_reps" in plan.gaps else None
        for index, kind in enumerate(kinds):
            self.add(
                m.SubCommittee(
                    community_id=plan.pk,
                    kind=kind,
                    leader_id=committee[index % len(committee)].pk,
                    resident_representatives=rng.choice([2, 6, 7]) if index == crowded else rng.randint(3, 5),
                )
            )
        groups = max(1, plan.households // 250)
        odd = rng.randrange(groups) if plan.gaps & {"group_too_big", "group_leader_appointed"} else None
        for number in range(groups):
            households = rng.randint(200, 300)
            if number == odd and "group_too_big" in plan.gaps:
                households = rng.randint(330, 420)
            self.add(
                m.ResidentsGroup(
                    community_id=plan.pk,
                    name=f"第{number + 1}居民小组",
                    households=households,
                    leader_name=names(),
                    leader_elected_by_group=not (number == odd and "group_leader_appointed" in plan.gaps),
                    term_start=date(year - 2, 6, 1),
                    term_end=date(year + 3, 5, 31),
                )
            )
        if "no_building_leaders" in plan.fails:
            leaders = 0
        elif "few_building_leaders" in plan.fails:
            leaders = plan.households // 40
        else:
            leaders = round(plan.households / 25)
        for number in range(leaders):
            self.add(
                m.BuildingLeader(
                    community_id=plan.pk,
                    name=names(),
                    building=f"{number // 6 + 1}号楼{number % 6 + 1}单元",
                    households=rng.randint(20, 30),
                )
            )

    def station(self, plan: Plan):
        m, rng, gaps = self.m, self.rng, plan.gaps
        if "no_station" in gaps:
            return
        area = Decimal(rng.randint(260, 295) if "small_station" in gaps else rng.randint(320, 620))
        if "small_activity_space" in gaps:
            activity = (area / 2).quantize(Decimal("1"))
        else:
            activity = min(area, (area * 2 / 3).quantize(Decimal("1")) + rng.randint(1, 40))
        rooms = list(m.URBAN_ROOMS)
        if "missing_room" in gaps:
            rooms.remove(rng.choice(rooms))
        plaques = [code for code, _ in m.PLAQUES]
        if "missing_plaque" in gaps:
            plaques.remove(rng.choice(plaques))
        self.add(
            m.Facility(
                community_id=plan.pk,
                kind="service_station",
                name=f"{plan.name}服务站",
                address=f"{plan.town.name}{plan.name}办公楼",
                area_m2=area,
                activity_area_m2=activity,
                rooms=rooms,
                plaques=plaques,
                windows=[code for code, _ in m.WINDOWS],
                publicity_boards=rng.randint(1, 3),
                disclosure_boards=1 if "few_boards" in gaps else rng.randint(2, 3),
                electronic_screen="no_screen" not in plan.fails,
                has_yard_or_square=rng.random() < 0.3,
                procedures_posted="procedures_not_posted" not in gaps,
                equipment="电脑3台、打印机1台、扫描仪1台",
                photo=PHOTO,
            )
        )

    def work_funds(self, plan: Plan):
        m, year = self.m, self.year
        for fund_year in (year - 1, year) if not plan.new else (year,):
            due = m.work_fund_due(plan.households)
            paid = due - (Decimal("10000") if "fund_short" in plan.gaps and fund_year == year else 0)
            self.add(
                m.WorkFund(
                    community_id=plan.pk,
                    year=fund_year,
                    due=due,
                    district_share=m.district_share(due, plan.obj.established_on.year == fund_year),
                    paid=paid,
                    paid_on=self.day(fund_year, 2),
                )
            )

    # -- rural: the service centre, its environment and villages ------------------------------------
    def centre(self, plan: Plan):
        m, rng, gaps = self.m, self.rng, plan.gaps
        area = Decimal(rng.randint(420, 490) if "small_center" in gaps else rng.randint(520, 900))

        def all_but(codes, gap):
            codes = [code for code, _ in codes] if isinstance(codes[0], tuple) else list(codes)
            if gap in gaps:
                codes.remove(rng.choice(codes))
            return codes

        self.add(
            m.Facility(
                community_id=plan.pk,
                kind="service_center",
                name=f"{plan.town.name}便民服务中心" if "centre_misnamed" in gaps else f"{plan.name}服务中心",
                address=f"{plan.town.name}{plan.name}",
                area_m2=area,
                activity_area_m2=(area * 2 / 3).quantize(Decimal("1")),
                rooms=all_but(m.RURAL_ROOMS, "missing_rural_room"),
                plaques=["party_org", "service_center"],
                one_stop_services=all_but(m.ONE_STOP_SERVICES, "missing_hall_service"),
                stations=all_but(m.STATIONS, "missing_center_station"),
                functions=all_but(m.FUNCTIONS, "missing_function"),
                rural_boards=all_but(m.RURAL_BOARDS, "missing_rural_board"),
                publicity_boards=rng.randint(1, 3),
                disclosure_boards=rng.randint(1, 3),
                electronic_screen=rng.random() < 0.4,
                has_yard_or_square="no_yard" not in gaps,
                procedures_posted=True,
                equipment="电脑2台、打印机1台",
                photo=PHOTO,
            )
        )
        if "no_environment_check" not in gaps:
            five_ones = [code for code, _ in m.FIVE_ONES]
            if "five_ones_incomplete" in gaps:
                five_ones = rng.sample(five_ones, 3)
            self.add(
                m.EnvironmentCheck(
                    community_id=plan.pk,
                    year=self.year,
                    four_links=[code for code, _ in m.FOUR_LINKS],
                    five_improvements=rng.sample(
                        [code for code, _ in m.FIVE_IMPROVEMENTS], rng.randint(2, 5)
                    ),
                    five_ones=five_ones,
                    five_nos_five_upgrades=rng.sample(
                        [code for code, _ in m.FIVE_NOS_FIVE_UPGRADES], rng.randint(4, 10)
                    ),
                    evidence=PHOTO,
                )
            )
        self.add(  # last year's, with fewer items: only the year's check counts
            m.EnvironmentCheck(
                community_id=plan.pk,
                year=self.year - 1,
                four_links=["road", "power"],
                five_ones=["paved_street"],
            )
        )
        count = rng.randint(3, 4) if "scope_few_villages" in gaps else rng.randint(5, 10)
        far = rng.randrange(count) if "scope_far" in gaps else None
        for index in range(count):
            self.add(
                m.MemberVillage(
                    community_id=plan.pk,
                    name=f"{rng.choice(m.SURNAMES)}家{'庄屯洼沟岭坪'[index % 6]}{index + 1}",
                    distance_km=Decimal(rng.randint(35, 60) if index == far else rng.randint(3, 30)) / 10,
                    population=rng.randint(300, 900),
                    households=rng.randint(90, 280),
                )
            )

    # -- villages: talks, appraisals, new party members -----------------------------------------------
    def village_work(self, plan: Plan):
        m, rng, year = self.m, self.rng, self.year
        leaders = "、".join(sorted(plan.people["leaders"]))
        quarters = [1, 2, 3, 4]
        if "talk_missing_quarter" in plan.fails:
            quarters.remove(rng.choice(quarters))
        for held in [self.day(year, quarter) for quarter in quarters] + [self.day(year - 1, 3)]:
            self.add(
                m.Talk(
                    community_id=plan.pk,
                    held_on=held,
                    township_leader=plan.people["names"](),
                    village_leaders=leaders,
                    topic="村级重点工作谈心谈话",
                )
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
                    self.add(
                        m.Appraisal(
                            community_id=plan.pk,
                            year=appraisal_year,
                            half=half,
                            subject=subject,
                            held_on=self.day(appraisal_year, rng.choice([1, 2] if half == 1 else [3, 4])),
                            participants=rng.randint(20, 80),
                        )
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
            self.add(
                m.PartyMemberCase(
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
            )

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
        from django.db import transaction

        with transaction.atomic():
            for number, start in enumerate(range(0, len(self.plans), CHUNK)):
                if number % shares == share:
                    self.write(self.plans[start : start + CHUNK], number)
        return self.counts


_GENERATOR: CityGenerator | None = None  # set before forking: the writing processes inherit it


def _write_share(share_and_shares: tuple[int, int]) -> Counter:
    from django.db import connections

    try:
        return _GENERATOR.write_share(*share_and_shares)
    finally:
        connections.close_all()


def generate_city(generator: CityGenerator, tenant, processes: int):
    """Units and plans in this process, then the chunks written by `processes` forked processes
    (Django's per-row work is what takes the time; PostgreSQL keeps up with two writers)."""
    global _GENERATOR
    from django.db import connections

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


# ---- Django side ----------------------------------------------------------------------------------


class Models:
    """The models and vocabularies the generator uses, imported once Django is set up."""

    def __init__(self):
        from assessments import demo
        from assessments.management.commands import seed_demo
        from communities import models as communities
        from core import models as core
        from facilities import models as facilities
        from funding import models as funding
        from funding import services as funding_services
        from personnel import models as personnel

        for module, names in (
            (core, "Tenant Unit User"),
            (
                communities,
                "Community Activity Disclosure Meeting MemberVillage Organization VolunteerRegistration",
            ),
            (
                personnel,
                "Member Election ElectionCandidate SubCommittee ResidentsGroup BuildingLeader Training Talk "
                "Appraisal PartyMemberCase",
            ),
            (funding, "WorkFund"),
            (funding_services, "work_fund_due district_share"),
            (
                facilities,
                "Facility EnvironmentCheck URBAN_ROOMS RURAL_ROOMS PLAQUES WINDOWS ONE_STOP_SERVICES STATIONS "
                "FUNCTIONS RURAL_BOARDS FOUR_LINKS FIVE_IMPROVEMENTS FIVE_ONES FIVE_NOS_FIVE_UPGRADES",
            ),
        ):
            for name in names.split():
                setattr(self, name, getattr(module, name))
        self.SURNAMES, self.GIVEN, self.SOCIAL_ORGS = demo.SURNAMES, demo.GIVEN, demo.SOCIAL_ORGS
        self.URBAN_NAMES, self.RURAL_NAMES = seed_demo.URBAN_NAMES, seed_demo.RURAL_NAMES
        self.VILLAGE_NAMES, self.GACHA_NAMES = seed_demo.VILLAGE_NAMES, seed_demo.GACHA_NAMES


def tenant_code(n: int, year: int) -> str:
    return f"bench-{n}-{year}"


def officer_name(n: int, year: int) -> str:
    return f"bench_officer_{n}_{year}"


def ensure_city(models, n: int, year: int, seed: int, skip_generate: bool, processes: int) -> dict:
    """The tenant of `n` communities for `year`: reused when present and complete, else generated."""
    from django.db import connection, transaction

    Tenant, Community, User = models.Tenant, models.Community, models.User
    tenant = Tenant.objects.filter(code=tenant_code(n, year)).first()
    if tenant is not None:
        found = Community.objects.filter(unit__tenant=tenant).count()
        officer = User.objects.filter(username=officer_name(n, year), tenant=tenant).first()
        if found == n and officer is not None:
            return {"n": n, "tenant": tenant, "officer": officer, "reused": True}
        raise BenchError(
            f"tenant {tenant.code} holds {found} communities rather than {n}"
            f"{'' if officer else ' and no officer'} (an interrupted generation?): "
            "rerun with --fresh to start from an empty database."
        )
    if skip_generate:
        raise BenchError(
            f"--skip-generate: tenant {tenant_code(n, year)} is not in the database; run without it."
        )
    generator = CityGenerator(models, n, year, seed)
    started = time.perf_counter()
    # The tenant and its units are committed first (the writing processes refer to them); the officer,
    # written last, marks the city complete.
    tenant = Tenant.objects.create(name=f"基准市{n}({year})", code=tenant_code(n, year))
    try:
        city = generate_city(generator, tenant, processes)
    except Exception as exc:
        raise BenchError(
            f"generating {n:,} communities failed: {exc!r}; the database holds a partial city "
            "(dropped at exit unless --keep; then rerun with --fresh)."
        ) from exc
    with transaction.atomic():
        officer = User.objects.create(
            username=officer_name(n, year),
            tenant=tenant,
            unit=city,
            role="city_officer",
            full_name="基准市管理员",
        )
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have long since done on a real database
    vacuum = time.perf_counter() - started
    return {
        "n": n,
        "tenant": tenant,
        "officer": officer,
        "reused": False,
        "seconds": elapsed,
        "vacuum": vacuum,
        "rows": generator.counts,
        "profiles": generator.profiles,
        "plans": generator.plans,
        "processes": processes,
    }


def print_generation(cities: list[dict], year: int) -> None:
    print(f"\n== generation (records of {year}, and some of {year - 1}; bulk_create, no history rows) ==")
    print(f"{'communities':>12} {'towns':>6} {'rows':>11} {'seconds':>8} {'rows/s':>8} {'vacuum s':>9}  note")
    for city in cities:
        if city["reused"]:
            print(f"{city['n']:>12,} {'':>6} {'':>11} {'':>8} {'':>8} {'':>9}  reused from the kept database")
            continue
        rows = sum(city["rows"].values())
        towns = len({plan.town.pk for plan in city["plans"]})
        print(
            f"{city['n']:>12,} {towns:>6} {rows:>11,} {city['seconds']:>8.1f} {rows / city['seconds']:>8,.0f} "
            f"{city['vacuum']:>9.1f}  {city['processes']} writing processes"
        )
    generated = [city for city in cities if not city["reused"]]
    for city in generated:
        if city["n"] == TARGET_COMMUNITIES:
            verdict = "met" if city["seconds"] < 180 else "NOT met"
            print(f"target: {TARGET_COMMUNITIES:,} communities generated in under ~3 min → {verdict}")
    if not generated:
        return
    biggest = max(generated, key=lambda city: city["n"])
    print(f"\nrows per table ({biggest['n']:,} communities):")
    for label, count in sorted(biggest["rows"].items(), key=lambda item: -item[1]):
        print(f"  {label:<32} {count:>10,}  ({count / biggest['n']:.1f} per community)")
    kinds = Counter()
    for (kind, _subtype, profile), count in biggest["profiles"].items():
        kinds[(kind, profile)] += count
    print("planned profiles (model: every auto indicator passes; qualified: a model-level one fails;")
    print("gaps: a lowest-level one fails):")
    for kind in ("urban", "rural", "village"):
        total = sum(count for (k, _), count in kinds.items() if k == kind)
        parts = ", ".join(
            f"{profile} {kinds[(kind, profile)]:,}" for profile in ("model", "qualified", "gaps")
        )
        subtypes = Counter()
        for (k, subtype, _), count in biggest["profiles"].items():
            if k == kind:
                subtypes[subtype] += count
        shown = ", ".join(f"{subtype} {count:,}" for subtype, count in subtypes.most_common())
        print(f"  {kind:<8} {total:>7,} ({total / biggest['n']:.0%}): {parts}; subtypes: {shown}")
    planned = Counter(gap for plan in biggest["plans"] for gap in plan.gaps | plan.fails)
    print(
        f"  gap kinds used: {len(planned)}; most common: "
        + ", ".join(f"{g} {c}" for g, c in planned.most_common(6))
    )


# ---- the measured run -----------------------------------------------------------------------------


class Worker:
    """A real Celery worker process (solo pool, one process), started and stopped by the benchmark."""

    def __init__(self, env: dict, query_log: str):
        self.log_path = Path(tempfile.gettempdir()) / f"bench_self_check_worker_{os.getpid()}.log"
        self.query_log = query_log
        celery = Path(sys.executable).with_name("celery")
        self.command = [
            str(celery) if celery.exists() else "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            WORKER_NODE,
            "-I",
            "benchmarks.self_check_20k",
        ]
        self.env = env
        self.process = None

    def start(self, app, timeout: float = 60) -> None:
        self.log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        node = WORKER_NODE.replace("%h", platform.node())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"the Celery worker exited with {self.process.returncode}:\n{self.tail()}")
            if app.control.ping(destination=[node], timeout=0.5):
                return
        raise BenchError(f"the Celery worker did not answer a ping within {timeout:.0f} s:\n{self.tail()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8").splitlines()[-lines:])
        except OSError:
            return "(no worker log)"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.log.close()

    def queries(self, job_id: int, chunks: int, wait: float = 5.0) -> tuple[int, int] | None:
        """(statements, tasks) the worker ran for the job: the splitting task and one per chunk."""
        deadline = time.monotonic() + wait
        while True:
            total = tasks = 0
            try:
                for line in Path(self.query_log).read_text(encoding="utf-8").splitlines():
                    _, job, count = line.split("\t")
                    if job == str(job_id):
                        total, tasks = total + int(count), tasks + 1
            except OSError:
                pass
            if tasks >= chunks + 1 or time.monotonic() > deadline:
                return (total, tasks) if tasks else None
            time.sleep(0.1)


def pg_stat_statements_ready() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_preload_libraries")
        if "pg_stat_statements" not in cursor.fetchone()[0]:
            return False
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    return True


def statement_calls() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return int(cursor.fetchone()[0])


def clean_previous(city: dict) -> int:
    """Delete the city's earlier self-checks and self-check jobs: every measured run is a first run."""
    from assessments.models import SelfCheck
    from core.models import Job

    deleted, _ = SelfCheck.objects.filter(community__unit__tenant=city["tenant"]).delete()
    Job.objects.filter(owner__tenant=city["tenant"], kind="self_check").delete()
    return deleted


def measure(city: dict, year: int, worker: Worker, timeout: float, use_pgss: bool) -> dict:
    from assessments.runs import start_run
    from core.models import Job

    deleted = clean_previous(city)
    officer = city["officer"]
    city_unit = officer.unit
    if use_pgss:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_statements_reset()")
    polls = 0
    started = time.perf_counter()
    job = start_run(officer, year, city_unit)
    last_report = started
    while True:
        state = Job.objects.filter(pk=job.pk).values("state", "done", "total").get()
        polls += 1
        now = time.perf_counter()
        if state["state"] in ("done", "failed"):
            break
        if now - started > timeout:
            raise BenchError(
                f"job {job.pk} still {state['state']} after {timeout:.0f} s (worker log {worker.log_path}):\n"
                f"{worker.tail()}"
            )
        if not worker.alive():
            raise BenchError(f"the Celery worker died during job {job.pk}:\n{worker.tail()}")
        if now - last_report >= 10:
            print(
                f"    … {state['done']:,}/{state['total']:,} communities after {now - started:.0f} s",
                flush=True,
            )
            last_report = now
        time.sleep(0.1)
    wall = time.perf_counter() - started
    calls = statement_calls() - polls if use_pgss else None
    job.refresh_from_db()
    summary = job.summary or {}
    chunks = int(summary.get("chunks") or 0)
    counted = worker.queries(job.pk, chunks)
    return {
        "n": city["n"],
        "job": job,
        "wall": wall,
        "worker_span": (job.finished_at - job.started_at).total_seconds()
        if job.started_at and job.finished_at
        else None,
        "queued": (job.started_at - job.created_at).total_seconds() if job.started_at else None,
        "chunks": chunks,
        "summary_queries": summary.get("queries"),
        "worker_queries": counted,
        "pgss": calls,
        "deleted": deleted,
    }


def print_levels(city: dict, year: int) -> None:
    from assessments.models import SelfCheck

    rows = SelfCheck.objects.filter(community__unit__tenant=city["tenant"], year=year)
    levels, proposed, failed = Counter(), Counter(), Counter()
    for kind, level, proposal, codes in rows.values_list(
        "community__kind", "level", "proposed_level", "failed"
    ):
        levels[(kind, level)] += 1
        proposed[(kind, proposal)] += 1
        failed.update(codes)
    print(f"\nresults of the {city['n']:,}-community run (level: open evidence/site indicators count as not")
    print("passed; proposed: as passed):")
    for kind in ("urban", "rural", "village"):
        shown = ", ".join(f"{level} {count:,}" for (k, level), count in sorted(levels.items()) if k == kind)
        offered = ", ".join(
            f"{level} {count:,}" for (k, level), count in sorted(proposed.items()) if k == kind
        )
        print(f"  {kind:<8} level: {shown or '—'}; proposed: {offered or '—'}")
    print(
        f"  indicators failed somewhere: {len(failed)}; most often: "
        + ", ".join(f"{code} {count:,}" for code, count in failed.most_common(8))
    )


def print_runs(runs: list[dict], year: int, chunk_size: int, use_pgss: bool) -> None:
    print(f"\n== self-check run (year {year}, chunk size {chunk_size}, one Celery worker: solo pool) ==")
    source = "pg_stat_statements" if use_pgss else "counted in the worker (every statement of every task)"
    print(f"queries: {source}; 'eval q' is the job's summary['queries'] (evaluation statements only)")
    header = (
        f"{'communities':>12} {'wall s':>7} {'comm/s':>7} {'worker s':>8} {'chunks':>6} "
        f"{'queries':>8} {'q/chunk':>8} {'eval q':>7} {'state':>6}"
    )
    print(header)
    for run in runs:
        if run["pgss"] is not None:
            queries = run["pgss"]
        elif run["worker_queries"]:
            queries = run["worker_queries"][0]
        else:
            queries = None
        per_chunk = f"{queries / run['chunks']:.1f}" if queries is not None and run["chunks"] else "—"
        print(
            f"{run['n']:>12,} {run['wall']:>7.1f} {run['n'] / run['wall']:>7,.0f} "
            f"{run['worker_span'] if run['worker_span'] is not None else float('nan'):>8.1f} {run['chunks']:>6} "
            f"{queries if queries is not None else '—':>8} {per_chunk:>8} "
            f"{run['summary_queries'] if run['summary_queries'] is not None else '—':>7} {run['job'].state:>6}"
        )
    for run in runs:
        if run["job"].errors:
            print(f"  job {run['job'].pk} ({run['n']:,}) errors: {run['job'].errors[:3]}")
    print(
        "every run is a first run: the city's earlier self-checks were deleted before it ("
        + ", ".join(f"{run['n']:,}: {run['deleted']:,} deleted" for run in runs)
        + ")"
    )
    rate = TARGET_COMMUNITIES / TARGET_SECONDS
    print(
        f"target: {TARGET_COMMUNITIES:,} communities in under {TARGET_SECONDS} s (≥ {rate:.0f} communities/s)"
    )
    for run in runs:
        if run["n"] == TARGET_COMMUNITIES:
            verdict = "met" if run["wall"] < TARGET_SECONDS and run["job"].state == "done" else "NOT met"
            print(f"  {run['n']:,} communities: {run['wall']:.1f} s → {verdict}")
    if len(runs) >= 2:
        small, big = runs[0], runs[-1]
        print(
            f"growth {small['n']:,} → {big['n']:,} communities (×{big['n'] / small['n']:.0f}): "
            f"time ×{big['wall'] / small['wall']:.1f}"
        )


# ---- main -----------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--communities", type=int, default=TARGET_COMMUNITIES, help="size of the city (20,000)"
    )
    parser.add_argument("--compare", type=int, default=2000, help="size of the second city (2,000; 0: none)")
    parser.add_argument(
        "--year", type=int, default=date.today().year - 1, help="the self-check year (last year)"
    )
    parser.add_argument("--db", default="bench_self_check", help="the throwaway database (bench_self_check)")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL server URL ({DEFAULT_PG})")
    parser.add_argument("--redis", default=DEFAULT_REDIS, help=f"Redis URL, flushed ({DEFAULT_REDIS})")
    parser.add_argument("--keep", action="store_true", help="keep the database (a later run reuses it)")
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument(
        "--skip-generate", action="store_true", help="use the cities of the kept database (kept again)"
    )
    parser.add_argument("--generate-only", action="store_true", help="generate (and time) the data only")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds to wait for one run (1200)")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument(
        "--processes", type=int, default=min(2, os.cpu_count() or 1), help="processes writing the records (2)"
    )
    args = parser.parse_args(argv)
    if args.communities < 1 or args.compare < 0:
        parser.error("--communities must be positive and --compare not negative")
    if args.skip_generate and args.fresh:
        parser.error("--skip-generate uses the kept database; --fresh would drop it")
    args.keep = args.keep or args.skip_generate
    if args.year >= date.today().year:
        print(
            f"note: {args.year} has not ended: records of later quarters cannot be dated and will be missing"
        )
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    pg_connect(args.pg).close()
    if not args.generate_only:
        check_redis(args.redis)
    if args.fresh:
        drop_database(args.pg, args.db)
    if args.skip_generate and not database_exists(args.pg, args.db):
        raise BenchError(f"--skip-generate: database {args.db} does not exist (keep one with --keep).")
    created = create_database(args.pg, args.db)
    os.environ["DATABASE_URL"] = _with_path(args.pg, args.db)
    if args.generate_only:
        os.environ.pop("REDIS_URL", None)
    else:
        os.environ["REDIS_URL"] = args.redis
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    worker = None
    ok = False
    try:
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {connection.vendor}")
        print(f"database {args.db}: {'created' if created else 'reused'}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"migrate: {time.perf_counter() - started:.1f} s")
        models = Models()
        sizes = sorted({size for size in (args.compare, args.communities) if size})
        cities = [
            ensure_city(models, size, args.year, args.seed, args.skip_generate, args.processes)
            for size in sizes
        ]
        print_generation(cities, args.year)
        if args.generate_only:
            return 0
        try:
            from assessments.runs import start_run  # noqa: F401
        except ImportError as exc:
            raise BenchError(f"assessments.runs.start_run is not available yet ({exc}).") from exc
        import redis

        from config.celery import app

        redis.Redis.from_url(args.redis).flushdb()  # stale or unacknowledged messages of earlier runs
        query_log = Path(tempfile.gettempdir()) / f"bench_self_check_queries_{os.getpid()}.tsv"
        query_log.write_text("", encoding="utf-8")
        env = {
            **os.environ,
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "REDIS_URL": args.redis,
            QUERY_LOG_ENV: str(query_log),
            "PYTHONUNBUFFERED": "1",
        }
        worker = Worker(env, str(query_log))
        started = time.perf_counter()
        worker.start(app)
        print(f"\nworker started in {time.perf_counter() - started:.1f} s")
        use_pgss = pg_stat_statements_ready()
        runs = []
        for city in cities:
            print(f"  running the self-check of {city['n']:,} communities …", flush=True)
            runs.append(measure(city, args.year, worker, args.timeout, use_pgss))
        print_runs(runs, args.year, settings.SELF_CHECK_CHUNK_SIZE, use_pgss)
        print_levels(cities[-1], args.year)
        query_log.unlink(missing_ok=True)
        ok = all(run["job"].state == "done" for run in runs)
        if not ok:
            print(f"worker log kept: {worker.log_path}")
        return 0 if ok else 1
    finally:
        if worker is not None:
            worker.stop()
            if ok:
                worker.log_path.unlink(missing_ok=True)
        release_database(args, ": a later run with --keep or --skip-generate reuses it")


def run_main(main) -> None:
    """The command-line ending of every benchmark and drill: its exit code, 2 with the message for a
    BenchError (a setup problem, not a result), 130 for ^C."""
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)


def release_database(args, kept_note: str = "") -> None:
    """Close the connections, then drop the throwaway database unless `--keep`."""
    from django.db import connections

    connections.close_all()
    if not args.keep:
        drop_database(args.pg, args.db)
        print(f"database {args.db} dropped (--keep keeps it for the next run)")
    else:
        print(f"database {args.db} kept{kept_note}")


if __name__ == "__main__":
    run_main(main)
