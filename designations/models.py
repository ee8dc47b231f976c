from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from assessments.models import SelfCheck
from communities.models import Community, CommunityScopedQuerySet
from core import changes
from core.models import Unit
from core.scope import ScopedQuerySet
from core.uniqueness import UniqueRule, UniqueRulesMixin
from core.validators import YEAR_VALIDATORS
from standards.models import Level


class Enrolment(UniqueRulesMixin, models.Model):
    """A community taken into a year's creation activity (创建活动) by its district or the city: only
    enrolled communities are submitted for review and designation (about 20% a year, docs/standards.md)."""

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

    objects = CommunityScopedQuerySet.as_manager()

    unique_rules = (UniqueRule(("community", "year"), "community", "该社区已列入{year}年创建活动。"),)

    class Meta:
        # Moved here from the assessments app with its table, which keeps its name.
        db_table = "assessments_enrolment"
        verbose_name = verbose_name_plural = "创建活动名单"
        ordering = ["-year", "community__unit__path", "community__name"]
        constraints = [models.UniqueConstraint(fields=["community", "year"], name="enrolment_one_per_year")]

    def __str__(self):
        return f"{self.year}年 {self.community}"


def display_code(code: str) -> str:
    """A verification code in groups of four, as shown everywhere: ABCD-EFGH-JKMN (`/verify/` takes
    it with or without the hyphens)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class DesignationQuerySet(ScopedQuerySet):
    """A community's designation is scoped by its community's town; a 示范区 title by its district."""

    unit_field = "scope_unit"

    def current(self):
        return self.filter(revoked=False, valid_until__gte=timezone.localdate())


class Designation(changes.Counted, models.Model):
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
        # Moved here from the assessments app with its table, which keeps its name.
        db_table = "assessments_designation"
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
    def code_display(self) -> str:
        """The code as every page, message and certificate shows it (`display_code`)."""
        return display_code(self.code)

    @property
    def verify_path(self) -> str:
        """The public check of this certificate, `/verify/<code>/` with the code as shown."""
        return reverse("verify-page", args=[self.code_display])

    @property
    def expired(self) -> bool:
        return self.valid_until < timezone.localdate()
