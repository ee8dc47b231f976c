"""Standard editions as data: an edition (code, version, the kind of community it applies to, its
levels) and its indicators (requirement, check kind, level, weight and, for auto indicators, a
measure, an operator and a threshold).

The shipped editions U, R and V (tenant null, loaded by a data migration from `standards/*.json`)
are seen by every city. A city officer copies an edition into the city, edits the draft and
publishes it as a new version; a published edition and its indicators never change again (refused
by `clean()`, by `save()`/`delete()` and by the services in `services.py`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone

from communities.models import Community, CommunityScopedQuerySet
from core.exceptions import Conflict
from core.fields import EvidenceField
from core.measures import MEASURES
from core.models import Tenant, Unit
from core.scope import ScopedQuerySet
from core.uniqueness import UniqueRule, UniqueRulesMixin
from core.validators import YEAR_VALIDATORS, not_in_future

from . import thresholds


class Level(models.TextChoices):
    """API.md's level codes (urban and village: qualified < model; rural: standardized < model <
    premium)."""

    QUALIFIED = "qualified", "合格"
    STANDARDIZED = "standardized", "规范化"
    MODEL = "model", "示范"
    PREMIUM = "premium", "精品"


# The levels of an edition, lowest first, by the kind of community it applies to.
LEVELS_BY_KIND = {
    Community.Kind.URBAN: [Level.QUALIFIED.value, Level.MODEL.value],
    Community.Kind.RURAL: [Level.STANDARDIZED.value, Level.MODEL.value, Level.PREMIUM.value],
    Community.Kind.VILLAGE: [Level.QUALIFIED.value, Level.MODEL.value],
}

LOCKED_MESSAGE = "已发布的标准版本不能修改;如需调整,请复制为新版本后修改并发布。"


class EditionLocked(Conflict):
    """A change to a published edition or to one of its indicators."""

    def __init__(self, message: str = LOCKED_MESSAGE):
        super().__init__(message, code="published")


class EditionQuerySet(ScopedQuerySet):
    """Scope of editions: a city's own editions (its tenant) are its users' role scope; the shipped
    editions (tenant null) are read by everybody, as an exception that never allows a write, exactly
    like a guardian read grant in `core.scope`."""

    # Path from the model to the edition's tenant.
    tenant_field = "tenant"

    def scope_q(self, user) -> models.Q:
        return models.Q(**{f"{self.tenant_field}_id": user.tenant_id})

    def exceptions_q(self, user) -> models.Q:
        return models.Q(**{f"{self.tenant_field}__isnull": True})


class StandardEditionQuerySet(EditionQuerySet):
    def published(self):
        return self.filter(status=StandardEdition.Status.PUBLISHED)

    def shipped(self):
        return self.filter(tenant__isnull=True)

    def current_for(self, tenant_id: int | None, kind: str):
        """The edition a self-check of a community of `kind` in that city uses (API.md): the city's
        newest published edition for the kind, else the newest shipped one; None if there is none."""
        published = self.published().filter(applies_to=kind)
        own = None
        if tenant_id is not None:
            own = published.filter(tenant_id=tenant_id).order_by("-published_at", "-version").first()
        return own or published.shipped().order_by("-version").first()

    def next_version(self, tenant_id: int | None, code: str) -> int:
        """One more than the highest version of `code` in the city or among the shipped editions."""
        highest = (
            self.filter(models.Q(tenant_id=tenant_id) | models.Q(tenant__isnull=True), code=code)
            .aggregate(highest=models.Max("version"))
            .get("highest")
        )
        return (highest or 0) + 1


class StandardEdition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="standard_editions",
        verbose_name="所属城市",
        help_text="为空表示随平台提供、各市通用的标准。",
    )
    code = models.CharField("标准代码", max_length=20, help_text="如 U、R、V,或本市自定的代码。")
    name = models.CharField("标准名称", max_length=100)
    version = models.PositiveIntegerField("版本号")
    applies_to = models.CharField("适用社区类别", max_length=10, choices=Community.Kind.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发布人",
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name="复制自",
    )
    levels = models.JSONField("等级(由低到高)", default=list)
    premium_min_score = models.DecimalField(
        "精品最低得分",
        max_digits=5,
        decimal_places=2,
        default=95,
        validators=[
            MinValueValidator(0, message="得分须在0至100之间。"),
            MaxValueValidator(100, message="得分须在0至100之间。"),
        ],
        help_text="农村社区“精品”:达到全部示范指标,且得分不低于此值。",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = StandardEditionQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "标准版本"
        ordering = ["applies_to", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code", "version"], name="edition_unique_version"),
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=models.Q(tenant__isnull=True),
                name="edition_unique_shipped_version",
            ),
            models.CheckConstraint(
                condition=models.Q(premium_min_score__gte=0, premium_min_score__lte=100),
                name="edition_premium_score_range",
            ),
        ]

    def __str__(self):
        return f"{self.code} 第{self.version}版 {self.name}"

    def save(self, *args, **kwargs):
        if self.stored_status() == self.Status.PUBLISHED:
            raise EditionLocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.stored_status() == self.Status.PUBLISHED:
            raise EditionLocked()
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_shipped(self) -> bool:
        return self.tenant_id is None

    def level_choices(self) -> list[tuple[str, str]]:
        return [(code, Level(code).label) for code in self.levels if code in Level.values]

    def stored_status(self) -> str | None:
        if not self.pk:
            return None
        return StandardEdition.objects.filter(pk=self.pk).values_list("status", flat=True).first()

    def full_clean(self, *args, **kwargs):
        # Before any field check, and as itself (full_clean would fold it into a plain error).
        if self.stored_status() == self.Status.PUBLISHED:
            raise EditionLocked()
        super().full_clean(*args, **kwargs)

    def clean(self):
        if self.stored_status() == self.Status.PUBLISHED:
            raise EditionLocked()
        errors = {}
        expected = LEVELS_BY_KIND.get(self.applies_to)
        if expected is not None and list(self.levels or []) != expected:
            labels = " < ".join(Level(code).label for code in expected)
            errors["levels"] = f"适用于该类社区的等级为:{labels}。"
        if self.code and not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in self.code):
            errors["code"] = "标准代码只能由英文字母、数字和连字符组成。"
        if errors:
            raise ValidationError(errors)


class IndicatorQuerySet(EditionQuerySet):
    tenant_field = "edition__tenant"


class Indicator(UniqueRulesMixin, models.Model):
    class Check(models.TextChoices):
        AUTO = "auto", "自动判定"
        EVIDENCE = "evidence", "材料审核"
        SITE = "site", "实地评估"

    class Operator(models.TextChoices):
        GTE = thresholds.GTE, "≥ 不少于"
        LTE = thresholds.LTE, "≤ 不超过"
        EQ = thresholds.EQ, "= 等于"
        BETWEEN = thresholds.BETWEEN, "介于(含两端)"
        ALL_IN = thresholds.ALL_IN, "包含全部"

    edition = models.ForeignKey(
        StandardEdition, on_delete=models.CASCADE, related_name="indicators", verbose_name="标准版本"
    )
    code = models.CharField("指标代码", max_length=30)
    category = models.CharField("类别", max_length=20)
    requirement = models.TextField("要求")
    # Not `check`: that name is Django's Model.check(); the API calls it `check`.
    check_kind = models.CharField("判定方式", max_length=10, choices=Check.choices)
    level = models.CharField("适用等级", max_length=20, choices=Level.choices)
    weight = models.DecimalField(
        "权重",
        max_digits=6,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0, message="权重不能为负数。")],
    )
    order = models.PositiveIntegerField("顺序", default=0)
    measure = models.CharField("测量项", max_length=50, blank=True)
    params = models.JSONField("测量参数", default=dict, blank=True)
    operator = models.CharField("比较方式", max_length=10, choices=Operator.choices, blank=True)
    threshold = models.JSONField("阈值", null=True, blank=True)
    advice = models.CharField(
        "未达标提示",
        max_length=200,
        blank=True,
        help_text="可用占位符:{value} 实际值、{expected} 要求值、{missing} 差额或缺少的项目。",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = IndicatorQuerySet.as_manager()

    unique_rules = (UniqueRule(("edition", "code"), "code", "本标准已有该指标代码。"),)

    class Meta:
        verbose_name = verbose_name_plural = "指标"
        ordering = ["edition", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="indicator_unique_code_in_edition"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="indicator_weight_not_negative"),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        if self._edition_published():
            raise EditionLocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._edition_published():
            raise EditionLocked()
        return super().delete(*args, **kwargs)

    def _edition_published(self) -> bool:
        if not self.edition_id:
            return False
        published = StandardEdition.objects.filter(
            pk=self.edition_id, status=StandardEdition.Status.PUBLISHED
        ).exists()
        if self.pk and not published:
            # moving an indicator out of a published edition is a change to that edition too
            stored = Indicator.objects.filter(pk=self.pk).values_list("edition__status", flat=True).first()
            published = stored == StandardEdition.Status.PUBLISHED
        return published

    def full_clean(self, *args, **kwargs):
        if self._edition_published():
            raise EditionLocked()
        super().full_clean(*args, **kwargs)

    def clean(self):
        if self._edition_published():
            raise EditionLocked()
        errors: dict[str, list[str]] = {}
        if self.edition_id and self.level and self.level not in self.edition.levels:
            allowed = "、".join(label for _, label in self.edition.level_choices())
            errors["level"] = [f"本标准的等级为:{allowed}。"]
        if self.check_kind == self.Check.AUTO:
            errors.update(thresholds.validate_rule(self.measure, self.params, self.operator, self.threshold))
            if self.advice:
                try:
                    self.advice.format(value="", expected="", missing="")
                except (KeyError, IndexError, ValueError):
                    errors["advice"] = ["提示中只能使用 {value}、{expected}、{missing} 三个占位符。"]
        elif self.check_kind:
            if self.measure or self.operator or self.threshold not in (None, "", [], {}):
                errors["check_kind"] = ["材料审核和实地评估的指标不设测量项、比较方式和阈值。"]
        super().clean(errors)

    @property
    def readable_threshold(self) -> str:
        if self.check_kind != self.Check.AUTO:
            return ""
        return thresholds.describe(self.measure, self.operator, self.threshold)

    @property
    def readable_params(self) -> str:
        if self.check_kind != self.Check.AUTO:
            return ""
        return ";".join(
            part
            for part in (
                thresholds.describe_params(self.measure, self.params),
                thresholds.describe_threshold_params(self.threshold),
            )
            if part
        )

    @property
    def measure_label(self) -> str:
        measure = MEASURES.get(self.measure)
        return measure.label if measure else self.measure


class SelfCheckQuerySet(CommunityScopedQuerySet):
    """Self-checks and enrolments are read in their community's scope, grants included (core.scope)."""


class SelfCheck(models.Model):
    """A community's annual self-check: one per community and year (API.md). The edition is fixed at
    the first run; `results` hold one entry per indicator of that edition as the evaluator left it,
    `judgements` what reviewers decided about evidence and site indicators (never copied into a
    new year)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "已退回"
        DISTRICT_APPROVED = "district_approved", "区县已审核"
        ACCEPTED = "accepted", "市级已验收"
        REJECTED = "rejected", "未通过验收"

    # Only these are re-evaluated by a run or after a record changes; the others were judged as they stand.
    OPEN_STATUSES = (Status.DRAFT, Status.RETURNED)
    # Approved by the district (and perhaps decided by the city): a later record change is flagged.
    APPROVED_STATUSES = (Status.DISTRICT_APPROVED, Status.ACCEPTED, Status.REJECTED)
    NO_LEVEL = "none"

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="self_checks", verbose_name="社区"
    )
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    edition = models.ForeignKey(
        StandardEdition, on_delete=models.PROTECT, related_name="self_checks", verbose_name="标准版本"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    changed_since_approval = models.BooleanField("审核后记录有变动", default=False)
    score = models.DecimalField("得分", max_digits=5, decimal_places=2, default=0)
    level = models.CharField("达到等级", max_length=20, default=NO_LEVEL)
    proposed_level = models.CharField("预计等级", max_length=20, default=NO_LEVEL)
    results = models.JSONField("各指标结果", default=list)
    # The codes of the indicators not passed, kept beside `results` so "most often failed" reads a
    # short list per self-check rather than every result.
    failed = models.JSONField("未通过的指标", default=list)
    judgements = models.JSONField("审核判定", default=dict, blank=True)
    # What the district approved: the results and the community's records as they stood then.
    snapshot = models.JSONField("审核时的记录与结果", default=dict, blank=True)
    evaluated_at = models.DateTimeField("评估时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = SelfCheckQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "年度自查"
        ordering = ["-year", "community__unit__path", "community__name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year"], name="self_check_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=100), name="self_check_score_range"
            ),
        ]
        indexes = [models.Index(fields=["year", "status"]), models.Index(fields=["year", "level"])]

    def __str__(self):
        return f"{self.community} {self.year}年自查"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @staticmethod
    def level_label(code: str) -> str:
        return Level(code).label if code in Level.values else "未达标"

    @property
    def level_display(self) -> str:
        return self.level_label(self.level)

    @property
    def proposed_level_display(self) -> str:
        return self.level_label(self.proposed_level)

    @property
    def next_level(self) -> str | None:
        """The level above `level` in the edition, None at the top."""
        levels = list(self.edition.levels)
        position = levels.index(self.level) + 1 if self.level in levels else 0
        return levels[position] if position < len(levels) else None

    @property
    def next_level_display(self) -> str:
        return self.level_label(self.next_level) if self.next_level else ""

    @property
    def gaps(self) -> list[dict]:
        """The shortfalls between where the community stands and the next level up (issue #4's gap
        list): every indicator required for that level that is not passed, in plain Chinese."""
        from .evaluator import gap_list

        return gap_list(self)


class Enrolment(UniqueRulesMixin, models.Model):
    """A community taken into a year's creation activity (创建活动) by its district or the city: only
    enrolled communities are submitted for review and designation (about 20% a year, STANDARD.md)."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="enrolments", verbose_name="社区"
    )
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确定人",
    )
    created_at = models.DateTimeField("确定时间", auto_now_add=True)

    objects = SelfCheckQuerySet.as_manager()

    unique_rules = (UniqueRule(("community", "year"), "community", "该社区已列入{year}年创建活动。"),)

    class Meta:
        verbose_name = verbose_name_plural = "创建活动名单"
        ordering = ["-year", "community__unit__path", "community__name"]
        constraints = [models.UniqueConstraint(fields=["community", "year"], name="enrolment_one_per_year")]

    def __str__(self):
        return f"{self.year}年 {self.community}"

    @staticmethod
    def in_review(year: int, community_ids) -> list[int]:
        """The communities whose self-check of `year` is past draft/returned: they stay enrolled in
        the activity they were submitted to. Their self-check rows are locked till the transaction ends,
        so a submission and a removal cannot pass each other."""
        statuses = dict(
            SelfCheck.objects.select_for_update()
            .filter(year=year, community_id__in=community_ids)
            .values_list("community_id", "status")
        )
        return sorted(pk for pk, status in statuses.items() if status not in SelfCheck.OPEN_STATUSES)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            if Enrolment.in_review(self.year, [self.community_id]):
                raise Conflict(f"该社区{self.year}年的自查已提交审核,不能移出创建活动名单。")
            return super().delete(*args, **kwargs)


# The status codes as one named choice set (the API schema names it once: SelfCheckStatusEnum).
SELF_CHECK_STATUSES = SelfCheck.Status.choices


class SelfCheckPartQuerySet(CommunityScopedQuerySet):
    """What hangs off a self-check is read in the scope of the self-check's community."""

    community_field = "self_check__community"
    unit_field = "self_check__community__unit"


class SelfCheckEvent(models.Model):
    """One step of a self-check's workflow (the audit trail): who, when, from which status to which,
    and the comment or reason given. Append-only."""

    class Step(models.TextChoices):
        EVIDENCE = "evidence", "提交佐证材料"
        SUBMIT = "submit", "提交"
        JUDGE = "judge", "判定指标"
        SITE_VISIT = "site_visit", "记录实地评估"
        APPROVE = "approve", "区县审核通过"
        RETURN = "return", "退回"
        ACCEPT = "accept", "市级验收通过"
        REJECT = "reject", "验收不通过"
        REOPEN = "reopen", "撤回重审"

    self_check = models.ForeignKey(
        SelfCheck, on_delete=models.CASCADE, related_name="events", verbose_name="自查"
    )
    step = models.CharField("步骤", max_length=20, choices=Step.choices)
    from_status = models.CharField("原状态", max_length=20, choices=SelfCheck.Status.choices)
    to_status = models.CharField("新状态", max_length=20, choices=SelfCheck.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    comment = models.TextField("意见", blank=True)
    details = models.JSONField("详情", default=dict, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    objects = SelfCheckPartQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "自查流程记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_step_display()} {self.at:%Y-%m-%d %H:%M}"


class SiteVisit(models.Model):
    """The city's review on site (STANDARD.md U, "Review"): the visit, the forum with the two
    committees and staff, and the random questionnaire with its sample and satisfaction score."""

    self_check = models.OneToOneField(
        SelfCheck, on_delete=models.CASCADE, related_name="site_visit", verbose_name="自查"
    )
    visited_on = models.DateField("实地查看日期", validators=[not_in_future])
    forum_held = models.BooleanField("已召开座谈会", default=False)
    forum_participants = models.PositiveIntegerField("座谈会人数", null=True, blank=True)
    questionnaire_sample = models.PositiveIntegerField(
        "问卷样本数", validators=[MinValueValidator(1, message="问卷样本数必须为正整数。")]
    )
    satisfaction_score = models.DecimalField(
        "满意度得分",
        max_digits=5,
        decimal_places=2,
        validators=[
            MinValueValidator(0, message="满意度得分须在0至100之间。"),
            MaxValueValidator(100, message="满意度得分须在0至100之间。"),
        ],
    )
    note = models.TextField("备注", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now=True)

    objects = SelfCheckPartQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "市级实地评估"

    def __str__(self):
        return f"{self.self_check} 实地评估"

    def clean(self):
        if self.forum_held and not self.forum_participants:
            raise ValidationError({"forum_participants": "已召开座谈会的,请填写参加人数。"})


class DesignationQuerySet(ScopedQuerySet):
    """A community's designation is scoped by its community's town; a 示范区 title by its district."""

    unit_field = "scope_unit"

    def current(self):
        return self.filter(revoked=False, valid_until__gte=timezone.localdate())


class Designation(models.Model):
    """A title the city awards: 合格/规范化/示范/精品 to a community for a year, on the self-check it
    accepted, or 示范区 to a district. Valid for the city's chosen years; the city may revoke it with a
    reason. `code` is printed on the certificate and checked publicly at `/verify/<code>/`."""

    class Title(models.TextChoices):
        QUALIFIED = Level.QUALIFIED.value, Level.QUALIFIED.label
        STANDARDIZED = Level.STANDARDIZED.value, Level.STANDARDIZED.label
        MODEL = Level.MODEL.value, Level.MODEL.label
        PREMIUM = Level.PREMIUM.value, Level.PREMIUM.label
        MODEL_DISTRICT = "model_district", "示范区"

    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="designations",
        verbose_name="社区",
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="designations",
        verbose_name="区县(示范区)",
    )
    # The unit that places the designation in the tree: the community's town, or the district.
    scope_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="所属单位")
    self_check = models.OneToOneField(
        SelfCheck,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="designation",
        verbose_name="所依据的自查",
    )
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    title = models.CharField("称号", max_length=20, choices=Title.choices)
    issued_on = models.DateField("授予日期")
    valid_until = models.DateField("有效期至")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="授予人"
    )
    revoked = models.BooleanField("已撤销", default=False)
    revoked_on = models.DateField("撤销日期", null=True, blank=True)
    revoked_reason = models.TextField("撤销原因", blank=True)
    code = models.CharField("核验码", max_length=16, unique=True)
    # The day the renewal reminder went out (designations.send_renewal_reminders): once per designation.
    renewal_reminded_on = models.DateField("到期提醒日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = DesignationQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "称号"
        ordering = ["-year", "scope_unit__path", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(community__isnull=False) | models.Q(unit__isnull=False),
                name="designation_has_a_holder",
            ),
        ]
        indexes = [models.Index(fields=["year", "title"])]

    def __str__(self):
        holder = self.community or self.unit
        return f"{holder} {self.year}年 {self.get_title_display()}"

    @property
    def expired(self) -> bool:
        return self.valid_until < timezone.localdate()


class IndicatorEvidence(models.Model):
    """A document or photo the town files for an evidence indicator of a self-check (the charter for
    U-CHARTER, the duty rota for U-DUTY …); the district judges the indicator on it. A file of last
    year's self-check may be filed again (`reused_from`) rather than uploaded anew."""

    self_check = models.ForeignKey(
        SelfCheck, on_delete=models.CASCADE, related_name="evidence", verbose_name="自查"
    )
    indicator = models.CharField("指标代码", max_length=30)
    file = EvidenceField("材料", blank=False, help_text="PDF、JPEG、PNG、Word,上限见系统设置。")
    description = models.CharField("说明", max_length=200, blank=True)
    reused_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="沿用自"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = SelfCheckPartQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "指标佐证材料"
        ordering = ["indicator", "uploaded_at", "pk"]
        indexes = [models.Index(fields=["self_check", "indicator"])]

    def __str__(self):
        return f"{self.indicator} {self.file.name.rsplit('/', 1)[-1]}"

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]
