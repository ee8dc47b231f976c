"""Demo data: one city, its districts and towns, 120+ communities of every kind with varied record
sets, and the demo users.

Every row is made by `demo.factories`, every community planned and its records built by `demo.city`
(the same code that makes the benchmarks' cities). Idempotent: units, communities and users are looked
up by their natural keys first, and a community's records are written only while it has none, so a
second run changes nothing.
"""

import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessments import runs
from assessments.models import SelfCheck
from communities.models import Community, TownRecognition
from core import changes
from core.models import Tenant, Unit, User
from core.roles import Role
from demo.city import (
    GACHA_NAMES,
    JOURNEY_COMMUNITY,
    RURAL_NAMES,
    URBAN_NAMES,
    VILLAGE_NAMES,
    Records,
    demo_community,
    demo_evidence,
    demo_plan,
)
from demo.factories import (
    CityFactory,
    CommunityFactory,
    DistrictFactory,
    EnrolmentFactory,
    SelfCheckFactory,
    TenantFactory,
    TownFactory,
    TownRecognitionFactory,
    UserFactory,
    fast_build,
)
from designations import titles
from designations.models import Enrolment
from personnel.models import Member

CITY = ("临江市", "linjiang")
# Earlier years the demo carries, for the dashboards' trend and year-over-year figures.
HISTORY_YEARS = 2

# district: (zone, towns); a town: (name, community kinds it holds)
DISTRICTS = {
    "东城区": ("central", [("东华街道", "urban"), ("建设街道", "urban"), ("光明街道", "urban")]),
    "西湖区": ("central", [("湖滨街道", "urban"), ("南苑街道", "urban"), ("西关街道", "urban")]),
    "青山县": ("outer", [("四十里镇", "mixed"), ("石桥乡", "rural"), ("青山镇", "mixed")]),
    "白河旗": ("outer", [("白河镇", "mixed"), ("柳树乡", "rural"), ("红旗苏木", "rural")]),
}


DEMO_USERS = [
    # username, full name, role, unit name
    ("city_officer", "周建华", Role.CITY_OFFICER, "临江市"),
    ("district_reviewer", "陈丽萍", Role.DISTRICT_REVIEWER, "青山县"),
    ("town_clerk", "王志刚", Role.TOWN_CLERK, "四十里镇"),
    ("town_clerk_other", "李秀英", Role.TOWN_CLERK, "东华街道"),
    ("api_reader", "省民政厅数据接口", Role.API_READER, "临江市"),
]


class Command(BaseCommand):
    help = "载入演示数据(一个市、4个区县、12个乡镇街道、120余个社区和演示用户)。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="在 DEBUG 关闭的环境中也运行")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG 已关闭:这看来是生产环境,演示数据不会写入。确需写入请加 --force。")
        with transaction.atomic():
            created = self.seed()
        # After the commit that evaluated this year's self-checks (the change path acts on commit).
        with transaction.atomic():
            created += self.history(
                Tenant.objects.get(code=CITY[1]), User.objects.get(username="city_officer")
            )
        # The earlier years' self-checks and the enrolments were written in bulk: no figure counted
        # before the seeding stands.
        changes.everything_changed()
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪(本次新建 {created} 条记录)。"))
        # The demo's password, said where the demo starts (settings.DEMO_PASSWORD, `$DEMO_PASSWORD`).
        self.stdout.write(f"演示用户:{', '.join(u[0] for u in DEMO_USERS)};密码:{settings.DEMO_PASSWORD}")

    def seed(self) -> int:
        rng = random.Random(20261125)  # fixed seed: the same demo data on every machine
        year = timezone.localdate().year
        created = 0
        tenant = Tenant.objects.filter(code=CITY[1]).first()
        if tenant is None:
            tenant = TenantFactory(code=CITY[1], name=CITY[0])
            created += 1
        city, new = self._unit(tenant, None, CITY[0], Unit.Tier.CITY, "")
        created += new
        units = {city.name: city}
        for district_name, (zone, towns) in DISTRICTS.items():
            district, new = self._unit(tenant, city, district_name, Unit.Tier.DISTRICT, zone)
            created += new
            units[district_name] = district
            for town_name, mix in towns:
                town, new = self._unit(tenant, district, town_name, Unit.Tier.TOWN, "")
                created += new
                units[town_name] = town
                for name, kind, subtype in self._communities(rng, town, mix):
                    if not Community.objects.filter(unit=town, name=name).exists():
                        # Its size and the facts its profile decides (party members, occupancy, ...).
                        CommunityFactory(**demo_community(town, name, kind, subtype, year))
                        created += 1
        for username, full_name, role, unit_name in DEMO_USERS:
            created += self._user(tenant, username, full_name, role, units[unit_name])
        created += self._platform_admin()
        created += self._records(tenant, User.objects.get(username="town_clerk"))
        created += self._enrolments(tenant, User.objects.get(username="city_officer"))
        return created

    def history(self, tenant, officer) -> int:
        """Earlier years of the programme, so that the dashboards' trend and year-over-year figures
        have something to show. The demo's records are of this year, so each earlier year's
        self-checks repeat this year's results; a different fifth of the communities is accepted
        each year, with the title its level allows, issued as the city would (`titles.issue`)."""
        year = timezone.localdate().year
        current = SelfCheck.objects.filter(community__unit__tenant=tenant, year=year)
        communities = Community.objects.filter(unit__tenant=tenant)
        missing = communities.exclude(pk__in=current.values("community_id")).values_list("pk", flat=True)
        runs.evaluate_communities(list(missing), year)
        created = 0
        for back in range(1, HISTORY_YEARS + 1):
            past = year - back
            if SelfCheck.objects.filter(community__unit__tenant=tenant, year=past).exists():
                continue
            copies = [
                fast_build(
                    SelfCheckFactory,
                    community_id=check.community_id,
                    year=past,
                    edition_id=check.edition_id,
                    status=SelfCheck.Status.ACCEPTED if number % 5 == back else SelfCheck.Status.DRAFT,
                    score=check.score,
                    level=check.proposed_level,
                    proposed_level=check.proposed_level,
                    results=check.results,
                    failed=check.failed,
                    evaluated_at=check.evaluated_at,
                )
                for number, check in enumerate(current.order_by("pk"))
            ]
            SelfCheck.objects.bulk_create(copies)
            created += len(copies)
            accepted = SelfCheck.objects.filter(
                community__unit__tenant=tenant, year=past, status=SelfCheck.Status.ACCEPTED
            ).exclude(level=SelfCheck.NO_LEVEL)
            for check in accepted.select_related("edition"):
                titles.issue(title=check.level, year=past, user=officer, self_check=check)
                created += 1
        return created

    def _enrolments(self, tenant, officer) -> int:
        """This year's creation activity: every fifth community of each district (about 20%, as the
        programme plans), and always the journey community, so that its whole path can be shown."""
        year = timezone.localdate().year
        if Enrolment.objects.filter(community__unit__tenant=tenant, year=year).exists():
            return 0
        chosen = []
        for district in Unit.objects.filter(tenant=tenant, tier=Unit.Tier.DISTRICT).order_by("pk"):
            communities = Community.objects.filter(unit__parent=district).order_by("pk")
            chosen += [community for number, community in enumerate(communities) if number % 5 == 0]
        chosen += list(Community.objects.filter(unit__tenant=tenant, name=JOURNEY_COMMUNITY))
        unique = {community.pk: community for community in chosen}.values()
        Enrolment.objects.bulk_create(
            fast_build(EnrolmentFactory, community=c, year=year, enrolled_by=officer) for c in unique
        )
        return len(unique)

    def _records(self, tenant, clerk) -> int:
        """Each community's record set, written once: communities that have members already are left as
        they are. The records of the clerk's town name the clerk in their history."""
        rng = random.Random(20261126)
        done = set(
            Member.objects.filter(community__unit__tenant=tenant).values_list("community_id", flat=True)
        )
        communities = (
            Community.objects.filter(unit__tenant=tenant).select_related("unit__parent").order_by("pk")
        )
        records = Records(timezone.localdate().year, rng, demo_evidence(), history=True, every_type=True)
        plans, split_towns = [], set()
        for community in communities:
            if community.pk in done:
                continue
            plan, _ = demo_plan(community.unit, community.name, community.kind, community.subtype)
            plan.obj = community
            # At most one village a town keeps its secretary and director apart (V-ONE stays met).
            if plan.kind == "village" and plan.profile != "model" and community.unit_id not in split_towns:
                if rng.random() < 0.3:
                    plan.one_person_rate = 0.0
                    split_towns.add(community.unit_id)
            if community.unit_id == clerk.unit_id:
                records.users[community.pk] = clerk
            plans.append(plan)
        records.build(plans)
        for town in Unit.objects.filter(tenant=tenant, tier=Unit.Tier.TOWN).order_by("pk"):
            recognised = rng.random() < 0.6
            if not TownRecognition.objects.filter(unit=town).exists():
                TownRecognitionFactory(
                    unit=town, year=records.year, recognised=recognised, confirmed_by_district=recognised
                )
        return len(plans)

    def _unit(self, tenant, parent, name, tier, zone):
        unit = Unit.objects.filter(tenant=tenant, parent=parent, name=name).first()
        if unit:
            return unit, False
        factory_class = {Unit.Tier.CITY: CityFactory, Unit.Tier.DISTRICT: DistrictFactory}.get(
            tier, TownFactory
        )
        return factory_class(tenant=tenant, parent=parent, name=name, zone=zone), True

    def _communities(self, rng, town, mix):
        """(name, kind, subtype) of the town's communities."""
        short = town.name.removesuffix("街道").removesuffix("镇").removesuffix("乡").removesuffix("苏木")
        if mix == "urban":
            names = rng.sample(URBAN_NAMES, 10)
            subtypes = ["ordinary"] * 6 + ["unit", "unit", "new_residential", "ordinary"]
            for name, subtype in zip(names, subtypes, strict=True):
                yield f"{name}社区", "urban", subtype
            return
        if mix == "mixed":
            yield f"{short}集镇社区", "urban", "market_town"
        rural = rng.sample(RURAL_NAMES, 3 if mix == "mixed" else 2)
        for index, name in enumerate(rural):
            # One rural community per town deliberately breaks the 〈镇〉〈名〉社区 rule (R-NAME).
            full = f"{name}社区" if index == len(rural) - 1 and mix == "mixed" else f"{town.name}{name}社区"
            yield full, "rural", "ordinary"
        pool = GACHA_NAMES if town.name.endswith("苏木") else VILLAGE_NAMES
        suffix = "嘎查" if town.name.endswith("苏木") else "村"
        for name in rng.sample(pool, 10 - len(rural) - (mix == "mixed")):
            yield f"{name}{suffix}", "village", "ordinary"

    def _user(self, tenant, username, full_name, role, unit) -> int:
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = UserFactory(
                username=username,
                tenant=tenant,
                unit=unit,
                role=role,
                full_name=full_name,
                password=settings.DEMO_PASSWORD,
            )
        changed = False
        for field, value in {"tenant": tenant, "unit": unit, "role": role, "is_active": True}.items():
            if getattr(user, field) != value:
                setattr(user, field, value)
                changed = True
        if not user.check_password(settings.DEMO_PASSWORD):
            user.set_password(settings.DEMO_PASSWORD)
            changed = True
        if changed:
            user.save()
        return int(created)

    def _platform_admin(self) -> int:
        admin, created = User.objects.get_or_create(
            username="platform_admin",
            defaults={"is_superuser": True, "is_staff": True, "full_name": "平台管理员"},
        )
        if not admin.check_password(settings.DEMO_PASSWORD):
            admin.set_password(settings.DEMO_PASSWORD)
            admin.save()
        return int(created)
