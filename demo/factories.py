"""factory_boy factories for every record type (every model in `communities.records`) and the core
models around them: tenants, units, communities, users, and the self-check side (self-checks,
enrolments, designations on the shipped editions).

Each factory's default output is valid: it passes the model's `full_clean()` (tests/test_factories.py
holds every one to that). A factory fills what the model needs and leaves the rest to the model's own
defaults (no flag set, no optional count, no item list filled), so a record made with only some fields
given is the one `objects.create()` would make with them, made valid. Tests call them as usual (`MeetingFactory(community=c)`); the demo and the
benchmarks' city generator (`demo.city`) build their rows through them too, with `fast_build`, which
reads the same declarations without factory_boy's per-object machinery (see there).

The self-check models are imported here and in `seed_demo` only: where they live is this module's
business (they are moving between apps).
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory import declarations

from assessments.models import SelfCheck
from communities.models import (
    Activity,
    Community,
    Disclosure,
    Meeting,
    MemberVillage,
    Organization,
    TownRecognition,
    VillageRecognition,
    VolunteerRegistration,
)
from core.models import Tenant, Unit, User
from core.roles import Role, Tier
from designations.models import Designation, Enrolment
from facilities.models import (
    EnvironmentCheck,
    Facility,
)
from funding.models import CadrePay, CapitalProject, OfficeFund, PayBenchmark, PlaqueContribution, WorkFund
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
from standards.models import StandardEdition

PASSWORD = "test-pass-2026!"


def this_year() -> int:
    return timezone.localdate().year


def last_year() -> int:
    return this_year() - 1


def in_last_year(month: int, day: int):
    """A declaration: that day of last year (always in the past, whatever the day the tests run)."""
    return factory.LazyFunction(lambda: datetime.date(last_year(), month, day))


# ---- the unit tree, communities, users --------------------------------------------------------------


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"测试市{n}")
    code = factory.Sequence(lambda n: f"city-{n}")


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    tenant = factory.SubFactory(TenantFactory)
    parent = None
    tier = Tier.CITY
    name = factory.LazyAttribute(lambda o: o.tenant.name)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    parent = factory.SubFactory(CityFactory)
    tenant = factory.LazyAttribute(lambda o: o.parent.tenant)
    tier = Tier.DISTRICT
    zone = Unit.Zone.CENTRAL
    name = factory.Sequence(lambda n: f"第{n}区")


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    parent = factory.SubFactory(DistrictFactory)
    tenant = factory.LazyAttribute(lambda o: o.parent.tenant)
    tier = Tier.TOWN
    name = factory.Sequence(lambda n: f"第{n}镇")


class TownRecognitionFactory(factory.django.DjangoModelFactory):
    """A town's 六个好 (not a community record: it hangs off the town)."""

    class Meta:
        model = TownRecognition

    unit = factory.SubFactory(TownFactory)
    year = factory.LazyFunction(this_year)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    unit = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"幸福{n}社区")
    kind = Community.Kind.URBAN
    subtype = Community.Subtype.ORDINARY
    households = 2400
    residents = 6800
    established_on = datetime.date(2010, 5, 1)


class RuralCommunityFactory(CommunityFactory):
    """A rural (中心村型) community named as R-NAME asks: 〈镇〉〈名〉社区."""

    name = factory.LazyAttributeSequence(lambda o, n: f"{o.unit.name}红光{n}社区")
    kind = Community.Kind.RURAL
    households = 1500
    residents = 4800


class VillageFactory(CommunityFactory):
    name = factory.Sequence(lambda n: f"王家{n}村")
    kind = Community.Kind.VILLAGE
    households = 400
    residents = 1300
    party_members = 30


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    unit = factory.SubFactory(TownFactory)
    tenant = factory.LazyAttribute(lambda o: o.unit.tenant)
    role = Role.TOWN_CLERK

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()


# ---- personnel --------------------------------------------------------------------------------------


class RecordFactory(factory.django.DjangoModelFactory):
    """A record of a community (an urban one unless given)."""

    class Meta:
        abstract = True

    community = factory.SubFactory(CommunityFactory)


class MemberFactory(RecordFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"张伟{n}")
    body = Member.Body.RESIDENTS_COMMITTEE
    role = Member.Role.DIRECTOR


class SubCommitteeFactory(RecordFactory):
    class Meta:
        model = SubCommittee

    kind = SubCommittee.Kind.MEDIATION
    leader = factory.SubFactory(
        MemberFactory, community=factory.SelfAttribute("..community"), role=Member.Role.MEMBER
    )
    resident_representatives = 4


class ResidentsGroupFactory(RecordFactory):
    class Meta:
        model = ResidentsGroup

    name = factory.Sequence(lambda n: f"第{n + 1}居民小组")
    households = 250
    leader_name = factory.Sequence(lambda n: f"陈静{n}")
    leader_elected_by_group = True
    term_start = in_last_year(7, 1)
    term_end = factory.LazyAttribute(lambda o: o.term_start.replace(year=o.term_start.year + 5))


class BuildingLeaderFactory(RecordFactory):
    class Meta:
        model = BuildingLeader

    name = factory.Sequence(lambda n: f"孙丽{n}")
    building = factory.Sequence(lambda n: f"{n // 6 + 1}号楼{n % 6 + 1}单元")
    households = 24


class ElectionFactory(RecordFactory):
    class Meta:
        model = Election

    body = Member.Body.RESIDENTS_COMMITTEE
    held_on = in_last_year(5, 20)
    method = Election.Method.REPRESENTATIVES  # a direct one is `direct=True, method="direct"`
    voters = 5200


class ElectionCandidateFactory(RecordFactory):
    class Meta:
        model = ElectionCandidate

    election = factory.SubFactory(ElectionFactory, community=factory.SelfAttribute("..community"))
    name = factory.Sequence(lambda n: f"李娜{n}")
    resident_since = datetime.date(2001, 4, 1)


class TrainingFactory(RecordFactory):
    class Meta:
        model = Training

    trainee = None
    # The trainee's own name when a member is given (as Training.save() keeps it), else a name.
    trainee_name = factory.LazyAttributeSequence(lambda o, n: o.trainee.name if o.trainee else f"刘洋{n}")
    organiser_tier = Training.Tier.DISTRICT
    held_on = in_last_year(4, 12)
    days = Decimal("2")
    topic = "社区工作实务培训"


class ReserveCadreFactory(RecordFactory):
    class Meta:
        model = ReserveCadre

    name = factory.Sequence(lambda n: f"赵敏{n}")
    birth_year = 1990
    education = "本科"
    since = in_last_year(9, 1)


class PartyMemberCaseFactory(RecordFactory):
    class Meta:
        model = PartyMemberCase

    community = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"周强{n}")
    appraisal_approval_percent = Decimal("78.50")
    notice_start = in_last_year(6, 1)
    notice_end = factory.LazyAttribute(lambda o: o.notice_start + datetime.timedelta(days=7))


class AppraisalFactory(RecordFactory):
    class Meta:
        model = Appraisal

    community = factory.SubFactory(VillageFactory)
    year = factory.LazyFunction(last_year)
    half = Appraisal.Half.FIRST
    subject = Appraisal.Subject.CADRES
    held_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 3 if o.half == 1 else 9, 15))


class TalkFactory(RecordFactory):
    class Meta:
        model = Talk

    community = factory.SubFactory(VillageFactory)
    held_on = in_last_year(3, 10)
    township_leader = "王书记"
    village_leaders = "李主任、张书记"
    topic = "村级重点工作谈心谈话"


# ---- facilities -------------------------------------------------------------------------------------


class FacilityFactory(RecordFactory):
    """An urban service station of 450 m², with no room, plaque, window or board recorded yet."""

    class Meta:
        model = Facility

    kind = Facility.Kind.SERVICE_STATION
    name = factory.LazyAttribute(lambda o: f"{o.community.name}服务站")
    area_m2 = Decimal("450")
    activity_area_m2 = Decimal("320")


class EnvironmentCheckFactory(RecordFactory):
    """This year's checklist of a rural community, with the items in place given (none by default)."""

    class Meta:
        model = EnvironmentCheck

    community = factory.SubFactory(RuralCommunityFactory)
    year = factory.LazyFunction(this_year)


# ---- funding ----------------------------------------------------------------------------------------


class WorkFundFactory(RecordFactory):
    """Paid in full is not the default: `due` is computed on save, `paid` is what the test says."""

    class Meta:
        model = WorkFund

    year = factory.LazyFunction(this_year)
    paid = Decimal("50000")


class OfficeFundFactory(RecordFactory):
    class Meta:
        model = OfficeFund

    year = factory.LazyFunction(this_year)
    amount = Decimal("20000")


class CadrePayFactory(RecordFactory):
    class Meta:
        model = CadrePay

    year = factory.LazyFunction(this_year)
    member = factory.SubFactory(MemberFactory, community=factory.SelfAttribute("..community"))
    post = CadrePay.Post.SECRETARY_OR_DIRECTOR
    monthly_pay = Decimal("3000")


class PayBenchmarkFactory(factory.django.DjangoModelFactory):
    """A city's benchmark of this year: the banner paper's figures raised by a fifth."""

    class Meta:
        model = PayBenchmark

    tenant = factory.SubFactory(TenantFactory)
    year = factory.LazyFunction(this_year)
    urban_income = Decimal("21216")
    both = Decimal("2010")
    secretary_or_director = Decimal("1770")
    deputy = Decimal("1530")


class CapitalProjectFactory(RecordFactory):
    class Meta:
        model = CapitalProject

    name = factory.Sequence(lambda n: f"服务中心新建工程{n}")
    cost = Decimal("900000")


class PlaqueContributionFactory(RecordFactory):
    class Meta:
        model = PlaqueContribution

    year = factory.LazyFunction(this_year)
    organization_name = factory.Sequence(lambda n: f"市供电公司{n}")
    amount = Decimal("800")


# ---- community life ---------------------------------------------------------------------------------


class OrganizationFactory(RecordFactory):
    class Meta:
        model = Organization

    kind = Organization.Kind.SOCIAL
    name = factory.Sequence(lambda n: f"夕阳红艺术团{n}")


class ActivityFactory(RecordFactory):
    class Meta:
        model = Activity

    kind = Activity.Kind.VOLUNTEER
    held_on = in_last_year(3, 5)
    title = "学雷锋志愿服务"


class MeetingFactory(RecordFactory):
    class Meta:
        model = Meeting

    kind = Meeting.Kind.RESIDENTS
    held_on = in_last_year(3, 20)
    topic = "年度工作计划"


class DisclosureFactory(RecordFactory):
    class Meta:
        model = Disclosure

    published_on = in_last_year(3, 31)
    topics = factory.LazyFunction(lambda: ["plans", "work", "finances", "major"])
    channel = Disclosure.Channel.BOARD


class VolunteerRegistrationFactory(RecordFactory):
    class Meta:
        model = VolunteerRegistration

    year = factory.LazyFunction(this_year)
    registered = 700


class MemberVillageFactory(RecordFactory):
    class Meta:
        model = MemberVillage

    community = factory.SubFactory(RuralCommunityFactory)
    name = factory.Sequence(lambda n: f"李家庄{n}")
    distance_km = Decimal("2.0")
    population = 600


class VillageRecognitionFactory(RecordFactory):
    class Meta:
        model = VillageRecognition

    community = factory.SubFactory(VillageFactory)
    year = factory.LazyFunction(this_year)


# ---- the self-check side ----------------------------------------------------------------------------


def shipped_edition(kind: str = "urban", version: int | None = None) -> StandardEdition:
    """A shipped edition for a kind of community (or its code, U, R or V): the newest, the one a first
    run uses, unless `version` names an older one. Shipped by the migrations, never made."""
    editions = StandardEdition.objects.filter(tenant__isnull=True)
    editions = editions.filter(code=kind) if kind in ("U", "R", "V") else editions.filter(applies_to=kind)
    if version is not None:
        return editions.get(version=version)
    return editions.order_by("-version").first()


class SelfCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfCheck

    community = factory.SubFactory(CommunityFactory)
    year = factory.LazyFunction(this_year)
    edition = factory.LazyAttribute(lambda o: shipped_edition(o.community.kind))
    status = SelfCheck.Status.DRAFT
    # Not evaluated yet: no indicator passed. (A check with nothing failed stores `failed` empty, which
    # full_clean() calls blank; pass results and failed for any other state.)
    results = factory.LazyAttribute(
        lambda o: [
            {"indicator": code, "passed": False, "value": None, "expected": None, "note": "尚未评估。"}
            for code in o.edition.indicators.order_by("order").values_list("code", flat=True)
        ]
    )
    failed = factory.LazyAttribute(lambda o: [result["indicator"] for result in o.results])


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    community = factory.SubFactory(CommunityFactory)
    year = factory.LazyFunction(this_year)


class DesignationFactory(factory.django.DjangoModelFactory):
    """A community's title as the city issues it, without the self-check it would rest on."""

    class Meta:
        model = Designation

    community = factory.SubFactory(CommunityFactory)
    scope_unit = factory.LazyAttribute(lambda o: o.community.unit)
    year = factory.LazyFunction(last_year)
    title = Designation.Title.QUALIFIED
    issued_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 12, 1))
    valid_until = factory.LazyAttribute(lambda o: datetime.date(o.year + 3, 12, 1))
    issued_by = factory.SubFactory(
        UserFactory,
        unit=factory.SelfAttribute("..community.unit.parent.parent"),
        role=Role.CITY_OFFICER,
    )
    code = factory.Sequence(lambda n: f"TEST{n:08d}")


# Every record type's factory, by model: tests/test_factories.py checks that none is missing.
RECORD_FACTORIES = {
    factory_class._meta.model: factory_class
    for factory_class in (
        MemberFactory,
        SubCommitteeFactory,
        ResidentsGroupFactory,
        BuildingLeaderFactory,
        ElectionFactory,
        ElectionCandidateFactory,
        TrainingFactory,
        ReserveCadreFactory,
        PartyMemberCaseFactory,
        AppraisalFactory,
        TalkFactory,
        FacilityFactory,
        EnvironmentCheckFactory,
        WorkFundFactory,
        OfficeFundFactory,
        CadrePayFactory,
        CapitalProjectFactory,
        PlaqueContributionFactory,
        OrganizationFactory,
        ActivityFactory,
        MeetingFactory,
        DisclosureFactory,
        VolunteerRegistrationFactory,
        MemberVillageFactory,
        VillageRecognitionFactory,
    )
}


# ---- the fast path ----------------------------------------------------------------------------------

_PLAN: dict[type, tuple[dict, dict, tuple]] = {}


def _plan(factory_class) -> tuple[dict, dict, tuple]:
    """(plain defaults, LazyFunction defaults, names of the other declarations) of a factory."""
    found = _PLAN.get(factory_class)
    if found is None:
        plain, lazy, other = {}, {}, []
        for name, value in factory_class._meta.pre_declarations.as_dict().items():
            if isinstance(value, declarations.LazyFunction):
                lazy[name] = value.function
            elif isinstance(value, declarations.BaseDeclaration):
                other.append(name)
            else:
                plain[name] = value
        found = _PLAN[factory_class] = (plain, lazy, tuple(other))
    return found


def fast_build(factory_class, **fields):
    """What `factory_class.build(**fields)` makes (an unsaved instance), without factory_boy's
    per-object work: the factory's plain and LazyFunction defaults under `fields`. A factory's other
    declarations (sub-factories, sequences, lazy attributes) must be given, by name or as `<name>_id`;
    the first call checks that, and a declaration left out falls back to `build()`. Fast enough for
    the 2.6 million rows of the benchmarks' 20,000-community city."""
    plain, lazy, other = _plan(factory_class)
    for name in other:
        if name not in fields and f"{name}_id" not in fields:
            return factory_class.build(**fields)
    values = dict(plain)
    for name, function in lazy.items():
        if name not in fields:
            values[name] = function()
    values.update(fields)
    return factory_class._meta.model(**values)
