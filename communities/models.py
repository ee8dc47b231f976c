from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from core.models import Unit
from core.roles import Tier
from core.scope import ScopedQuerySet
from core.validators import not_in_future


class CommunityScopedQuerySet(ScopedQuerySet):
    """Scope for the community and every record hanging off it: the role scope, plus the
    communities a user was granted by name (guardian `view_community`, e.g. an inspector)."""

    # Path from the model to its Community ("pk" for the community itself).
    community_field = "community"
    unit_field = "community__unit"

    def exceptions_q(self, user):
        granted = CommunityUserObjectPermission.objects.filter(
            user=user,
            permission__codename="view_community",
            content_object__unit__tenant_id=user.tenant_id,
        ).values("content_object_id")
        return models.Q(**{f"{self.community_field}__in": granted})


class CommunityQuerySet(CommunityScopedQuerySet):
    community_field = "pk"
    unit_field = "unit"


class Community(models.Model):
    class Kind(models.TextChoices):
        URBAN = "urban", "城市社区"
        RURAL = "rural", "农村社区(中心村型)"
        VILLAGE = "village", "行政村(嘎查)"

    class Subtype(models.TextChoices):
        ORDINARY = "ordinary", "普通型"
        UNIT = "unit", "单位型"
        MARKET_TOWN = "market_town", "集镇型"
        NEW_RESIDENTIAL = "new_residential", "新建住宅区"

    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="communities",
        verbose_name="所属乡镇(街道)",
        limit_choices_to={"tier": Tier.TOWN},
    )
    name = models.CharField("社区名称", max_length=60)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    subtype = models.CharField("类型", max_length=20, choices=Subtype.choices, default=Subtype.ORDINARY)
    households = models.PositiveIntegerField(
        "户数", validators=[MinValueValidator(1, message="户数必须为正整数。")]
    )
    residents = models.PositiveIntegerField(
        "人口", validators=[MinValueValidator(1, message="人口必须为正整数。")]
    )
    established_on = models.DateField("成立日期", validators=[not_in_future])
    address = models.CharField("办公地址", max_length=120, blank=True)
    phone = models.CharField("办公电话", max_length=20, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CommunityQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = verbose_name_plural = "社区"
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="community_unique_name_in_town"),
            models.CheckConstraint(
                condition=models.Q(households__gt=0), name="community_households_positive"
            ),
            models.CheckConstraint(condition=models.Q(residents__gt=0), name="community_residents_positive"),
        ]
        indexes = [models.Index(fields=["kind", "subtype"])]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.unit_id and self.unit.tier != Tier.TOWN:
            errors["unit"] = "社区须属于一个乡镇(街道)。"
        if self.households and self.residents and self.residents < self.households:
            errors["residents"] = "人口不能少于户数。"
        if (
            self.unit_id
            and self.name
            and (Community.objects.filter(unit_id=self.unit_id, name=self.name).exclude(pk=self.pk).exists())
        ):
            errors["name"] = "该乡镇(街道)下已有同名社区。"
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # The unique name per town is checked in clean(), where its error belongs to `name`.
        super().validate_constraints(exclude={*(exclude or ()), "name"})

    def follows_rural_naming(self) -> bool:
        """R-NAME: a rural community is named 〈镇〉〈名〉社区, e.g. 四十里镇红光社区."""
        town = self.unit.name
        return self.name.startswith(town) and self.name.endswith("社区") and len(self.name) > len(town) + 2

    @property
    def warnings(self) -> list[str]:
        """Valid but noteworthy facts, shown beside the record (they are not errors)."""
        found = []
        if self.kind == self.Kind.RURAL and self.unit_id and not self.follows_rural_naming():
            found.append(
                f"农村社区名称应为“{self.unit.name}××社区”(标准 R-NAME),当前名称“{self.name}”不符合。"
            )
        return found


class CommunityUserObjectPermission(UserObjectPermissionBase):
    """Direct-FK guardian grants: a named user (e.g. an inspector) may read one community."""

    content_object = models.ForeignKey(Community, on_delete=models.CASCADE)


class CommunityGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Community, on_delete=models.CASCADE)


class CommunityRecord(models.Model):
    """Base of every record kept about a community (members, facilities, meetings, funds, ...).

    Scoped through its community; every change is kept by django-simple-history (who, when, what),
    append-only. Subclasses add fields, `clean()` rules and `warnings` for valid-but-unusual values.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, verbose_name="社区")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CommunityScopedQuerySet.as_manager()
    history = HistoricalRecords(inherit=True, excluded_fields=["updated_at"])

    class Meta:
        abstract = True

    @property
    def warnings(self) -> list[str]:
        return []
