"""Work funds due and paid (U-FUND), office funds, cadres' pay against the benchmark, capital
projects with their sources, and what plaque-hanging organisations give (docs/standards.md section F).

Amounts the documents derive (the fund due, the district's share, the pay benchmark, a project's
gap) are computed here from their parts on every save and are never taken as typed.
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from communities.models import Community, CommunityRecord
from core import measures
from core.models import Tenant
from core.scope import ScopedQuerySet
from core.uniqueness import UniqueRule, UniqueRulesMixin
from core.validators import YEAR_VALIDATORS, not_in_future
from personnel.models import Member

from . import services

NOT_NEGATIVE = [MinValueValidator(0, message="金额不能为负数。")]


def money(verbose_name, **kwargs):
    """Money in yuan: 12 digits, 2 decimals, never negative unless computed."""
    kwargs.setdefault("validators", NOT_NEGATIVE)
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


def yuan(value) -> str:
    return f"{value:,.2f}"


class OnePerYear(CommunityRecord):
    """A record kept once per community and year; a second one is refused on `year`."""

    year_field = "year"

    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)

    unique_rules = (UniqueRule(("community", "year"), "year", "该社区{year}年的{verbose_name}已登记。"),)

    class Meta:
        abstract = True


class WorkFund(OnePerYear):
    """U-FUND: the yearly work fund due to an urban community, the district's share, what was paid."""

    due = money("应拨工作经费(元)", editable=False, default=Decimal("0"))
    district_share = money("区县承担(元)", editable=False, default=Decimal("0"))
    paid = money("实际到位(元)", help_text="应拨金额和区县承担金额由系统按户数和成立年份计算。")
    paid_on = models.DateField("到位日期", null=True, blank=True, validators=[not_in_future])
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "社区工作经费"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year"], name="work_fund_one_per_year"),
            models.CheckConstraint(condition=models.Q(paid__gte=0), name="work_fund_paid_not_negative"),
        ]

    def __str__(self):
        return f"{self.year}年工作经费"

    def compute(self):
        if not self.community_id or not isinstance(self.year, int):
            return
        community = self.community
        tiers = measures.edition_params(community, "work_fund_due").get("tiers")
        self.due = services.work_fund_due(community.households, tiers) or Decimal("0")
        founded_this_year = community.established_on.year == self.year
        self.district_share = services.district_share(self.due, founded_this_year)

    def clean(self):
        errors = {}
        if (
            self.community_id
            and isinstance(self.year, int)
            and self.community.established_on
            and self.year < self.community.established_on.year
        ):
            errors["year"] = f"社区成立于{self.community.established_on.year}年,不能登记此前年度的工作经费。"
        super().clean(errors)
        self.compute()

    def save(self, *args, **kwargs):
        self.compute()
        super().save(*args, **kwargs)

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.community_id and self.community.kind != Community.Kind.URBAN:
            found.append("工作经费档次依据城市社区标准(U-FUND),本社区不是城市社区,应拨金额仅供参考。")
        if self.paid is not None and self.due and self.paid < self.due:
            found.append(f"实际到位 {yuan(self.paid)} 元,少于应拨 {yuan(self.due)} 元。")
        return found


class OfficeFund(OnePerYear):
    """A community's yearly office funds (F: the higher authority's floor is ¥10,000)."""

    amount = money("金额(元)")
    source = models.CharField("经费来源", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "社区办公经费"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year"], name="office_fund_one_per_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="office_fund_not_negative"),
        ]

    def __str__(self):
        return f"{self.year}年办公经费"

    @property
    def warnings(self) -> list[str]:
        floor = services.OFFICE_FUND_FLOOR
        if self.amount is not None and self.amount < floor:
            return [f"办公经费 {yuan(self.amount)} 元,低于上级规定的下限 {yuan(floor)} 元。"]
        return []


POSITIVE = [MinValueValidator(Decimal("0.01"), message="金额须大于0。")]


class PayBenchmarkQuerySet(ScopedQuerySet):
    """A city's benchmarks are its own: its users' scope is their tenant, whatever their unit."""

    def scope_q(self, user) -> models.Q:
        return models.Q(tenant_id=user.tenant_id)

    def in_force(self, tenant_id: int | None, year: int | None):
        """The city's row for `year`, else its latest earlier one; None when it has set none."""
        if tenant_id is None or not isinstance(year, int):
            return None
        return self.filter(tenant_id=tenant_id, year__lte=year).order_by("-year").first()


class PayBenchmark(UniqueRulesMixin, models.Model):
    """F: a city's monthly pay benchmark of hired community cadres for a year, set from the previous
    year's per-capita disposable income of urban residents (insurance included)."""

    POSTS = ("both", "secretary_or_director", "deputy")

    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="pay_benchmarks", verbose_name="所属城市"
    )
    year = models.PositiveSmallIntegerField(
        "适用年度", validators=YEAR_VALIDATORS, help_text="以后年度未另行设定的,沿用本年度标准。"
    )
    urban_income = money(
        "上年度城镇居民人均可支配收入(元)", validators=POSITIVE, help_text="参照标准据此测算。"
    )
    both = money("书记、主任一肩挑(元/月)", validators=POSITIVE, help_text="含保险,下同。")
    secretary_or_director = money("书记或主任(元/月)", validators=POSITIVE)
    deputy = money("副职(元/月)", validators=POSITIVE)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PayBenchmarkQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    unique_rules = (UniqueRule(("tenant", "year"), "year", "本市{year}年的报酬参照标准已设定。"),)

    class Meta:
        verbose_name = verbose_name_plural = "社区干部报酬参照标准"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "year"], name="pay_benchmark_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(urban_income__gt=0, both__gt=0, secretary_or_director__gt=0, deputy__gt=0),
                name="pay_benchmark_positive",
            ),
        ]

    def __str__(self):
        return f"{self.year}年报酬参照标准"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        recompute_cadre_pay(self.tenant_id, self.year)

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        recompute_cadre_pay(self.tenant_id, self.year)
        return deleted

    def clean(self):
        errors = {}
        if self.both is not None:
            for post in ("secretary_or_director", "deputy"):
                value = getattr(self, post)
                if value is not None and value > self.both:
                    label = self._meta.get_field(post).verbose_name
                    errors[post] = f"{label}不能高于书记、主任一肩挑的标准({yuan(self.both)} 元)。"
        super().clean(errors)

    def by_post(self) -> dict[str, Decimal]:
        return {post: getattr(self, post) for post in self.POSTS}


class CadrePay(CommunityRecord):
    """A hired community cadre's monthly pay in a year, against the benchmark for the post (F)."""

    class Post(models.TextChoices):
        BOTH = "both", "书记、主任一肩挑"
        SECRETARY_OR_DIRECTOR = "secretary_or_director", "书记或主任"
        DEPUTY = "deputy", "副职"

    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    # SET_NULL: deleting a member keeps the money record (and its history); editing it then asks
    # for a member again.
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, related_name="pay_records", verbose_name="成员"
    )
    post = models.CharField("岗位", max_length=30, choices=Post.choices)
    monthly_pay = money("月报酬(元)", help_text="含保险。")
    benchmark = money("参照标准(元/月)", editable=False, default=Decimal("0"))

    unique_rules = (UniqueRule(("member", "year"), "year", "{member.name}{year}年的报酬已登记。"),)

    class Meta:
        verbose_name = verbose_name_plural = "社区干部报酬"
        ordering = ["-year", "post"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="cadre_pay_one_per_member_year"),
            models.CheckConstraint(condition=models.Q(monthly_pay__gte=0), name="cadre_pay_not_negative"),
        ]

    def __str__(self):
        name = self.member.name if self.member_id else "(成员已删除)"
        return f"{self.year}年 {name} {self.get_post_display()}"

    def compute(self):
        if not self.community_id or not isinstance(self.year, int):
            return
        tenant_id = self.community.unit.tenant_id
        self.benchmark = services.pay_benchmark(self.post, tenant_id, self.year) or Decimal("0")

    def clean(self):
        errors = {}
        if self.member_id is None:
            pass  # required by the form and the API; left empty only when its member was deleted
        elif self.community_id and self.member.community_id != self.community_id:
            errors["member"] = f"{self.member.name}不是所选社区的成员。"
        super().clean(errors)
        self.compute()

    def save(self, *args, **kwargs):
        self.compute()
        super().save(*args, **kwargs)

    @property
    def warnings(self) -> list[str]:
        # The stored benchmark: computed on every save and again when the city's benchmarks change.
        benchmark = self.benchmark
        if benchmark and self.monthly_pay is not None and self.monthly_pay < benchmark:
            return [
                f"月报酬 {yuan(self.monthly_pay)} 元,低于{self.get_post_display()}的参照标准 {yuan(benchmark)} 元。"
            ]
        return []


class CapitalProject(CommunityRecord):
    """Buying or building premises (and equipping them): the cost, each source, the gap (F)."""

    SOURCES = (
        "state_project",
        "resettlement_project",
        "organization_department",
        "old_premises_sale",
        "budget",
        "other",
    )

    name = models.CharField("项目名称", max_length=100)
    cost = money("总造价(元)")
    state_project = money("国家项目(元)", default=Decimal("0"))
    resettlement_project = money("移民项目(元)", default=Decimal("0"))
    organization_department = money("组织部门(元)", default=Decimal("0"))
    old_premises_sale = money("旧址出售(元)", default=Decimal("0"))
    budget = money("财政预算(元)", default=Decimal("0"))
    other = money("其他(元)", default=Decimal("0"))
    gap = money("资金缺口(元)", editable=False, default=Decimal("0"), validators=[])
    typed_total = money(
        "申报总额(元)",
        null=True,
        blank=True,
        help_text="文件中写明的总额(可不填);缺口由系统按总造价减各项来源计算,与总造价不符时提示。",
    )
    equipment_sets = models.PositiveSmallIntegerField(
        "设备套数", null=True, blank=True, help_text="电脑、摄像机、打印机、扫描仪等成套设备。"
    )
    equipment_recipients = models.PositiveSmallIntegerField("受配单位数", null=True, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "阵地建设项目"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="capital_project_cost_not_negative"),
        ]

    def __str__(self):
        return self.name

    @property
    def sources_total(self) -> Decimal:
        return sum((getattr(self, name) or Decimal("0") for name in self.SOURCES), Decimal("0"))

    def compute(self):
        if self.cost is not None:
            self.gap = self.cost - self.sources_total

    def clean(self):
        self.compute()

    def save(self, *args, **kwargs):
        self.compute()
        super().save(*args, **kwargs)

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.cost is None:
            return found
        gap = self.cost - self.sources_total
        if self.typed_total is not None and self.typed_total != self.cost:
            found.append(
                f"申报总额 {yuan(self.typed_total)} 元与总造价 {yuan(self.cost)} 元不符;"
                f"系统按总造价减各项来源计算缺口为 {yuan(gap)} 元,请核对原始文件。"
            )
        if gap < 0:
            found.append(f"各项来源合计 {yuan(self.sources_total)} 元,超过总造价 {yuan(self.cost)} 元。")
        sets, recipients = self.equipment_sets, self.equipment_recipients
        if sets is not None and recipients is not None and sets != recipients:
            found.append(f"设备 {sets} 套,受配单位 {recipients} 个,套数与受配单位数不一致。")
        return found


class PlaqueContribution(CommunityRecord):
    """What an organisation hanging its plaque at the community gives it in a year (F)."""

    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    organization_name = models.CharField("单位名称", max_length=100)
    amount = money("资助金额(元)", help_text="每个挂牌单位每年500至1000元。")
    practical_things = models.PositiveSmallIntegerField(
        "办实事(件)",
        default=0,
        validators=[MinValueValidator(0, message="件数不能为负数。")],
        help_text="驻区单位每年为社区办1至2件实事。",
    )

    unique_rules = (
        UniqueRule(
            ("community", "year", "organization_name"),
            "organization_name",
            "{organization_name}{year}年的记录已登记。",
        ),
    )

    class Meta:
        verbose_name = verbose_name_plural = "挂牌单位共建"
        ordering = ["-year", "organization_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year", "organization_name"], name="plaque_contribution_one_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="plaque_contribution_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.year}年 {self.organization_name}"

    @property
    def warnings(self) -> list[str]:
        found = []
        low, high = services.PLAQUE_CONTRIBUTION_RANGE
        if self.amount is not None and not low <= self.amount <= high:
            found.append(f"资助金额 {yuan(self.amount)} 元,不在每年{low:,.0f}至{high:,.0f}元之间。")
        if self.practical_things is not None and self.practical_things < 1:
            found.append("本年度未为社区办实事(每个单位每年应办1至2件)。")
        return found


def recompute_current_work_fund(community: Community, created: bool) -> None:
    """The fund due this year follows the community's households and founding date as they change;
    earlier years keep the amounts computed while they were current. Called by the change path on
    every save of a community (`core.changes.community_saved`; registered in FundingConfig.ready).
    A community just created has no fund to follow it yet: nothing to read."""
    if created:
        return
    year = timezone.localdate().year
    for fund in WorkFund.objects.filter(community=community, year__gte=year):
        fund.community = community
        before = (fund.due, fund.district_share)
        fund.compute()
        if (fund.due, fund.district_share) != before:
            fund.save()


def recompute_cadre_pay(tenant_id: int, from_year: int) -> None:
    """A city's pay records from `from_year` on follow its benchmarks as they are set, changed or
    removed (a later year without its own row uses the latest earlier one)."""
    changed = []
    rows = CadrePay.objects.filter(community__unit__tenant_id=tenant_id, year__gte=from_year)
    for year in sorted(set(rows.values_list("year", flat=True))):
        benchmarks = services.pay_benchmarks(tenant_id, year)
        for pay in rows.filter(year=year).only("pk", "post", "benchmark"):
            benchmark = benchmarks.get(pay.post) or Decimal("0")
            if pay.benchmark != benchmark:
                pay.benchmark = benchmark
                changed.append(pay)
    CadrePay.objects.bulk_update(changed, ["benchmark"], batch_size=500)
