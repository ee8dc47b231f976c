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
from django.db import models

from communities.models import Community, CommunityScopedQuerySet
from core import changes
from core.fields import EvidenceField
from core.validators import YEAR_VALIDATORS, not_in_future
from standards.models import Indicator, Level, StandardEdition


class SelfCheckQuerySet(CommunityScopedQuerySet):
    """Self-checks and enrolments are read in their community's scope, grants included (core.scope)."""


class SelfCheck(changes.Counted, models.Model):
    """A community's annual self-check: one per community and year (docs/api.md). The edition is fixed at
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
    # What an evaluation writes: the results and what follows from them.
    SCORE_FIELDS = ("results", "failed", "score", "proposed_score", "level", "proposed_level")

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
    # The score with every unjudged item at full marks (docs/scoring.md).
    proposed_score = models.DecimalField("预计得分", max_digits=5, decimal_places=2, default=0)
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
            models.CheckConstraint(
                condition=models.Q(proposed_score__gte=0, proposed_score__lte=100),
                name="self_check_proposed_score_range",
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
        """The shortfalls between where the community stands and the next level up (the gap
        list): every indicator required for that level that is not passed, in plain Chinese."""
        from .evaluator import gap_list

        return gap_list(self)

    @property
    def gap_summary(self) -> dict:
        """The gap list grouped as the pages show it (`evaluator.gap_summary`): an evidence item
        without a file yet is the town's to fix, and awaits review once a file is uploaded."""
        from .evaluator import evaluator_for, gap_list, gap_summary

        evidence = {
            code
            for code, indicator in evaluator_for(self.edition).by_code.items()
            if indicator.check_kind == Indicator.Check.EVIDENCE
        }
        filed = set(self.evidence.values_list("indicator", flat=True)) if evidence else set()
        return gap_summary(gap_list(self, to_upload=frozenset(evidence - filed)))


# The status codes as one named choice set (the API schema names it once: SelfCheckStatusEnum).
SELF_CHECK_STATUSES = SelfCheck.Status.choices


class SelfCheckPartQuerySet(CommunityScopedQuerySet):
    """What hangs off a self-check is read in the scope of the self-check's community."""

    community_field = "self_check__community"
    unit_field = "self_check__community__unit"


class SelfCheckEvent(changes.Counted, models.Model):
    """One step of a self-check's workflow (the audit trail): who, when, from which status to which,
    and the comment or reason given. Append-only."""

    class Step(models.TextChoices):
        EVIDENCE = "evidence", "上传佐证材料"
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
    """The city's review on site (docs/standards.md U, "Review"): the visit, the forum with the two
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
