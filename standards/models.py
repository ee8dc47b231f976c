import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from communities.models import Community
from core.exceptions import Conflict
from core.measures import MEASURES
from core.models import Tenant
from core.roles import Action
from core.scope import ScopedQuerySet
from core.uniqueness import UniqueRule, UniqueRulesMixin

from . import sheet, thresholds


class Level(models.TextChoices):
    """docs/api.md's level codes (urban and village: qualified < model; rural: standardized < model <
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
    like a guardian read grant in `core.scope`. A draft is work in progress of those who manage the
    standards: nobody else reads it (nor its indicators), not even at the city's own districts, whose
    self-checks only ever use published editions."""

    # Paths from the model to the edition's tenant and status.
    tenant_field = "tenant"
    status_field = "status"

    def visible_to(self, user):
        visible = super().visible_to(user)
        if getattr(user, "is_authenticated", False) and not user.is_superuser:
            if not user.can(Action.MANAGE_STANDARDS):
                visible = visible.filter(**{self.status_field: "published"})
        return visible

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
        """The edition a self-check of a community of `kind` in that city uses (docs/api.md): the city's
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
    # docs/scoring.md: a level is reached with at least its minimum score and its veto items at full marks.
    min_scores = models.JSONField(
        "各等级最低得分", default=dict, blank=True, help_text='如 {"qualified": 70, "model": 90}。'
    )
    bonus_cap = models.DecimalField(
        "加分上限",
        max_digits=5,
        decimal_places=2,
        default=5,
        validators=[
            MinValueValidator(0, message="加分上限须在0至100之间。"),
            MaxValueValidator(100, message="加分上限须在0至100之间。"),
        ],
        help_text="加分项合计最多计入的分数。",
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
        # Moved here from the assessments app with its table, which keeps its name.
        db_table = "assessments_standardedition"
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
                condition=models.Q(bonus_cap__gte=0, bonus_cap__lte=100), name="edition_bonus_cap_range"
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

    def min_score(self, level: str) -> Decimal:
        """The minimum score of `level` (0 where the edition names none)."""
        return sheet.number((self.min_scores or {}).get(level, 0))

    def veto_codes(self, level: str) -> list[str]:
        """The codes of the items that must be at full marks for `level` (its 一票否决 items)."""
        return [code for code, veto in self.indicators.values_list("code", "veto") if level in (veto or [])]

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
        else:
            errors.update(sheet.validate_min_scores(self.levels, self.min_scores))
        if self.code and not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in self.code):
            errors["code"] = "标准代码只能由英文字母、数字和连字符组成。"
        if errors:
            raise ValidationError(errors)


class IndicatorQuerySet(EditionQuerySet):
    tenant_field = "edition__tenant"
    status_field = "edition__status"


# An indicator's short title (`Indicator.short_title`) at most, in characters, before "…".
SHORT_TITLE_LENGTH = 14


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
    # The 一级/二级 headings the item sits under on the 评分表, e.g. ["组织建设", "居委会设置"].
    section = models.JSONField("所属栏目", default=list, blank=True)
    points = models.DecimalField(
        "分值",
        max_digits=6,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0, message="分值不能为负数。")],
    )
    method = models.CharField(
        "考评方法", max_length=20, choices=sheet.Method.choices, default=sheet.Method.SYSTEM
    )
    scoring = models.CharField(
        "计分规则", max_length=20, choices=sheet.Scoring.choices, default=sheet.Scoring.ALL_OR_NOTHING
    )
    # deduction: {"per": points per missing unit}; bands: {"bands": [{"min": value, "share": 0…1}, …]}.
    scoring_params = models.JSONField("计分参数", default=dict, blank=True)
    veto = models.JSONField("一票否决的等级", default=list, blank=True)
    bonus = models.BooleanField("加分项", default=False)
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
        # Moved here from the assessments app with its table, which keeps its name.
        db_table = "assessments_indicator"
        verbose_name = verbose_name_plural = "指标"
        ordering = ["edition", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="indicator_unique_code_in_edition"),
            models.CheckConstraint(condition=models.Q(points__gte=0), name="indicator_points_not_negative"),
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

    @property
    def short_title(self) -> str:
        """A short Chinese name for charts and narrow places: the requirement's first clause, cut at
        SHORT_TITLE_LENGTH characters ("完善社区《居民自治章程》和…")."""
        clause = re.split(r"[,，。;；:：(（]", self.requirement.strip(), maxsplit=1)[0].strip() or self.code
        return clause if len(clause) <= SHORT_TITLE_LENGTH else f"{clause[:SHORT_TITLE_LENGTH]}…"

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
        if self.edition_id:
            errors.update(sheet.validate_item(self, self.edition.levels))
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
    def method_label(self) -> str:
        return sheet.Method(self.method).label if self.method in sheet.Method.values else self.method

    @property
    def veto_label(self) -> str:
        """The levels the item vetoes, in words: "合格、示范"."""
        return "、".join(Level(code).label if code in Level.values else code for code in self.veto or [])

    @property
    def scoring_label(self) -> str:
        return sheet.describe_scoring(self)

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
