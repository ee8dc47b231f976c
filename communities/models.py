from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from core import changes, measures
from core.fields import ChoiceListField, EvidenceField
from core.models import Unit
from core.roles import Tier
from core.scope import ScopedQuerySet
from core.uniqueness import UniqueRule, UniqueRulesMixin
from core.validators import (
    ESTABLISHED_ON_VALIDATORS,
    NAME_VALIDATORS,
    YEAR_VALIDATORS,
    not_in_future,
    validate_phone,
)


class CommunityScopedQuerySet(ScopedQuerySet):
    """Scope for the community and every record hanging off it: the role scope, plus the
    communities a user was granted by name (guardian `view_community`, e.g. an inspector)."""

    # Path from the model to its Community ("pk" for the community itself).
    community_field = "community"
    unit_field = "community__unit"

    def exceptions_q(self, user):
        granted = granted_communities(user)
        return models.Q(**{f"{self.community_field}__in": granted}) if granted else None


def granted_communities(user) -> list[int]:
    """The communities of the user's tenant granted to the user by name (guardian `view_community`,
    directly or through a group). Read once per user object, as Django's ModelBackend keeps its
    permission cache on the user: a request's user is loaded anew with each request.

    Most users hold no grant, and then their scope is the one indexed filter on the unit path; a
    scope OR-ed with the grants' subqueries kept PostgreSQL from that index on every list, count
    and detail query (a district's community count: 11 ms against 0.7 ms)."""
    found = getattr(user, "_granted_communities", None)
    if found is None:
        grant = {"permission__codename": "view_community", "content_object__unit__tenant_id": user.tenant_id}
        to_user = CommunityUserObjectPermission.objects.filter(user=user, **grant)
        to_groups = CommunityGroupObjectPermission.objects.filter(group__user=user, **grant)
        found = sorted(
            to_user.values_list("content_object_id", flat=True).union(
                to_groups.values_list("content_object_id", flat=True)
            )
        )
        user._granted_communities = found
    return found


class CommunityQuerySet(CommunityScopedQuerySet):
    community_field = "pk"
    unit_field = "unit"


class Community(UniqueRulesMixin, models.Model):
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
    name = models.CharField("社区名称", max_length=60, validators=NAME_VALIDATORS)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    subtype = models.CharField("类型", max_length=20, choices=Subtype.choices, default=Subtype.ORDINARY)
    households = models.PositiveIntegerField(
        "户数", validators=[MinValueValidator(1, message="户数必须为正整数。")]
    )
    residents = models.PositiveIntegerField(
        "人口", validators=[MinValueValidator(1, message="人口必须为正整数。")]
    )
    established_on = models.DateField("成立日期", validators=ESTABLISHED_ON_VALIDATORS)
    address = models.CharField("办公地址", max_length=120, blank=True)
    phone = models.CharField("办公电话", max_length=20, blank=True, validators=[validate_phone])
    # Facts some indicators need and nothing else records (U-FILE, U-NEW, V-BRANCH).
    filed_on = models.DateField(
        "报市备案日期",
        null=True,
        blank=True,
        validators=[not_in_future],
        help_text="新成立社区由区县报市民政局备案的日期(标准 U-FILE)。",
    )
    occupancy_percent = models.DecimalField(
        "入住率(%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0"), message="入住率须在0至100之间。"),
            MaxValueValidator(Decimal("100"), message="入住率须在0至100之间。"),
        ],
        help_text="新建住宅区填写(标准 U-NEW)。",
    )
    party_members = models.PositiveIntegerField(
        "党员人数", null=True, blank=True, help_text="行政村填写,决定党支部的设置(标准 V-BRANCH)。"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CommunityQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    # Fields that no indicator reads and no programme figure counts: a save that changes only these
    # neither re-evaluates the community's self-checks nor ends the cached figures. Listed this way
    # round so that a field added later is judged (and re-evaluated) until someone says otherwise.
    UNJUDGED_FIELDS = frozenset({"address", "phone", "updated_at"})

    unique_rules = (UniqueRule(("unit", "name"), "name", "该乡镇(街道)下已有同名社区。"),)

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

    def save(self, *args, update_fields=None, **kwargs):
        created = self._state.adding
        changed = None if created else self.changed_fields()
        super().save(*args, update_fields=update_fields, **kwargs)
        saved = [f for f in self._meta.concrete_fields if update_fields is None or f.name in update_fields]
        self._loaded = {
            **getattr(self, "_loaded", {}),
            **{f.attname: getattr(self, f.attname) for f in saved},
        }
        changes.community_saved(self, created, changed)

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        changes.community_deleted(self)  # with its records, self-checks and enrolments
        return deleted

    @property
    def noun(self) -> str:
        """What a title calls the holder (“合格社区”, “合格行政村”): 行政村 for a village, else 社区."""
        return "行政村" if self.kind == self.Kind.VILLAGE else "社区"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded = dict(zip(field_names, values, strict=True))
        return instance

    def changed_fields(self) -> set[str] | None:
        """The fields (attnames) whose value differs from the row as last loaded or saved; None when
        that is not known (a new row, or one read with only()/defer())."""
        loaded = getattr(self, "_loaded", None)
        fields = self._meta.concrete_fields
        if loaded is None or any(field.attname not in loaded for field in fields):
            return None
        return {field.attname for field in fields if getattr(self, field.attname) != loaded[field.attname]}

    def judged_change(self, created: bool = False) -> bool:
        """Whether the last save may have changed an indicator or a figure (see UNJUDGED_FIELDS)."""
        changed = None if created else self.changed_fields()
        return changed is None or not changed <= self.UNJUDGED_FIELDS

    def clean(self):
        errors = {}
        if self.unit_id and self.unit.tier != Tier.TOWN:
            errors["unit"] = "社区须属于一个乡镇(街道)。"
        if self.households and self.residents and self.residents < self.households:
            errors["residents"] = "人口不能少于户数。"
        if self.filed_on and self.established_on and self.filed_on < self.established_on:
            errors["filed_on"] = "备案日期不能早于成立日期。"
        super().clean(errors)

    def validate_constraints(self, exclude=None):
        # The positive counts are checked by their fields' validators, in Chinese and without a query each.
        super().validate_constraints(exclude={*(exclude or ()), "households", "residents"})

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


class CommunityRecord(UniqueRulesMixin, models.Model):
    """Base of every record kept about a community (members, facilities, meetings, funds, ...).

    Scoped through its community; every change is kept by django-simple-history (who, when, what),
    append-only. Subclasses add fields, `clean()` rules (ending with `super().clean(errors)`),
    `unique_rules` ("one per community and year", core.uniqueness) and `warnings` for
    valid-but-unusual values.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, verbose_name="社区")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CommunityScopedQuerySet.as_manager()
    history = HistoricalRecords(inherit=True, excluded_fields=["updated_at"])
    # The date or year field that places a record in the one year it counts for (a meeting's date, a
    # fund's year); None: a record that counts for any year (a member, a facility).
    year_field: str | None = None

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        created = self._state.adding
        super().save(*args, **kwargs)
        changes.record_saved(self, created)

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        changes.record_deleted(self)
        return deleted

    def counted_year(self) -> int | None:
        """The year this record counts for, None when it is not tied to one."""
        value = getattr(self, self.year_field) if self.year_field else None
        return getattr(value, "year", value)

    @property
    def warnings(self) -> list[str]:
        return []


# ---- community life: organisations, activities, meetings, disclosures, volunteers, villages -------


def _community_kind(record) -> str | None:
    return record.community.kind if record.community_id else None


class Organization(CommunityRecord):
    """A social, volunteer or other organisation active in the community (U-SOCORG, U-VOLORG, R-ORGS)."""

    class Kind(models.TextChoices):
        SOCIAL = "social", "社区社会组织"
        VOLUNTEER = "volunteer", "志愿者组织"
        COOPERATIVE = "cooperative", "专业合作社"
        ASSOCIATION = "association", "协会"
        OWNERS_COMMITTEE = "owners_committee", "业主委员会"

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    name = models.CharField("组织名称", max_length=80)
    registered_on = models.DateField("登记(备案)日期", null=True, blank=True, validators=[not_in_future])
    members_count = models.PositiveIntegerField(
        "成员人数", null=True, blank=True, validators=[MinValueValidator(1, message="成员人数必须为正整数。")]
    )
    hangs_plaque = models.BooleanField("在社区挂牌", default=False)
    note = models.TextField("备注", blank=True)

    # Checked by the application only: no database constraint backs this rule.
    unique_rules = (UniqueRule(("community", "name"), "name", "本社区已登记同名组织。", database=False),)

    class Meta:
        verbose_name = verbose_name_plural = "社区组织"
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["community", "kind"])]

    def __str__(self):
        return f"{self.name}({self.get_kind_display()})"

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.kind == self.Kind.OWNERS_COMMITTEE and _community_kind(self) == Community.Kind.VILLAGE:
            found.append("业主委员会一般设在有物业小区的城市社区,请核对类别。")
        return found


class Activity(CommunityRecord):
    """A mutual-aid, volunteer, cultural or training activity (U-VOLACT)."""

    year_field = "held_on"

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", "志愿服务"
        MUTUAL_AID = "mutual_aid", "互助活动"
        CULTURE = "culture", "文体活动"
        TRAINING = "training", "培训"
        OTHER = "other", "其他"

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    held_on = models.DateField("活动日期", validators=[not_in_future])
    title = models.CharField("活动名称", max_length=100)
    participants = models.PositiveIntegerField(
        "参加人数", null=True, blank=True, validators=[MinValueValidator(1, message="参加人数必须为正整数。")]
    )
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "社区活动"
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["community", "kind", "held_on"])]

    def __str__(self):
        return f"{self.held_on} {self.title}" if self.held_on else self.title

    @property
    def warnings(self) -> list[str]:
        found = []
        community = self.community if self.community_id else None
        if community and self.held_on and self.held_on < community.established_on:
            found.append(f"活动日期早于社区成立日期({community.established_on}),请核对。")
        if community and self.participants and self.participants > community.residents:
            found.append(f"参加人数({self.participants})超过社区人口({community.residents}),请核对。")
        return found


class Meeting(CommunityRecord):
    """A meeting of the community's bodies, minuted (U-MEET, U-CONSULT, U-HEAR, U-PARTY, U-UNITS, V-JOINT)."""

    year_field = "held_on"

    class Kind(models.TextChoices):
        RESIDENTS = "residents", "居民会议"
        RESIDENTS_REPRESENTATIVES = "residents_representatives", "居民代表会议"
        CONSULTATION = "consultation", "议事协商会议"
        HEARING = "hearing", "听证会"
        PARTY_JOINT = "party_joint", "党组织与居委会联席会议"
        UNITS_JOINT = "units_joint", "驻区单位联席会议"
        TWO_COMMITTEES = "two_committees", "村两委联席会议"
        VILLAGERS = "villagers", "村民(代表)会议"

    # Kinds of meeting that belong to one side only: a residents' committee (urban) or a village.
    URBAN_KINDS = {Kind.RESIDENTS, Kind.RESIDENTS_REPRESENTATIVES, Kind.PARTY_JOINT, Kind.UNITS_JOINT}
    VILLAGE_KINDS = {Kind.TWO_COMMITTEES, Kind.VILLAGERS}

    kind = models.CharField("会议类别", max_length=30, choices=Kind.choices)
    held_on = models.DateField("会议日期", validators=[not_in_future])
    topic = models.CharField("议题", max_length=200)
    attendees = models.PositiveIntegerField(
        "参会人数", null=True, blank=True, validators=[MinValueValidator(1, message="参会人数必须为正整数。")]
    )
    minutes = EvidenceField("会议记录", help_text="会议记录的扫描件或照片(PDF、JPEG、PNG、Word)。")
    decisions = models.TextField("决定事项", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议"
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["community", "kind", "held_on"])]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()}" if self.held_on else self.get_kind_display()

    @property
    def warnings(self) -> list[str]:
        found = []
        if not self.minutes:
            found.append("未上传会议记录。")
        kind = _community_kind(self)
        if kind == Community.Kind.VILLAGE and self.kind in self.URBAN_KINDS:
            found.append(
                f"“{self.get_kind_display()}”是城市社区的会议,行政村一般召开村两委联席会议或村民(代表)会议。"
            )
        if kind == Community.Kind.URBAN and self.kind in self.VILLAGE_KINDS:
            found.append(f"“{self.get_kind_display()}”是行政村的会议,请核对会议类别。")
        if self.community_id and self.held_on and self.held_on < self.community.established_on:
            found.append(f"会议日期早于社区成立日期({self.community.established_on}),请核对。")
        return found


class Disclosure(CommunityRecord):
    """One publication of 居(村)务公开: plans, work, finances and major matters (U-DISC); for a village
    also family planning, homestead approvals, water and electricity charges and audit results (V-DISC)."""

    year_field = "published_on"

    class Channel(models.TextChoices):
        BOARD = "board", "公开栏"
        ONLINE = "online", "网上公开"
        MEETING = "meeting", "会议公开"

    TOPICS = [
        ("plans", "工作计划"),
        ("work", "工作进展"),
        ("finances", "财务收支"),
        ("major", "重大事项"),
        # 村务公开 (V-DISC): the seed's 两公开一监督 names these besides the finances and major matters.
        ("family_planning", "计划生育"),
        ("homestead", "宅基地审批"),
        ("utilities", "水电费收缴"),
        ("audit", "审计结果"),
    ]

    published_on = models.DateField("公开日期", validators=[not_in_future])
    topics = ChoiceListField("公开内容", item_choices=TOPICS)
    channel = models.CharField("公开方式", max_length=10, choices=Channel.choices)
    evidence = EvidenceField("公开材料", help_text="公开栏照片或公开文件(PDF、JPEG、PNG、Word)。")

    class Meta:
        verbose_name = verbose_name_plural = "居(村)务公开"
        ordering = ["-published_on", "-pk"]
        indexes = [models.Index(fields=["community", "published_on"])]

    def __str__(self):
        topics = "、".join(self._meta.get_field("topics").labels(self.topics))
        return f"{self.published_on} 公开{topics}" if self.published_on else f"公开{topics}"

    def clean(self):
        if not self.topics:
            raise ValidationError({"topics": "请至少选择一项公开内容。"})

    @property
    def warnings(self) -> list[str]:
        return [] if self.evidence else ["未上传公开材料(照片或文件)。"]


class VolunteerRegistration(CommunityRecord):
    """The number of registered volunteers of a community in a year (U-VOLREG; a roster is optional)."""

    year_field = "year"

    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    registered = models.PositiveIntegerField(
        "注册志愿者人数", validators=[MinValueValidator(0, message="注册志愿者人数不能为负数。")]
    )
    note = models.TextField("备注", blank=True)

    unique_rules = (UniqueRule(("community", "year"), "year", "该社区本年度的志愿者注册人数已登记。"),)

    class Meta:
        verbose_name = verbose_name_plural = "志愿者注册"
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year"], name="volunteer_registration_one_per_year"),
        ]

    def __str__(self):
        return f"{self.year}年注册志愿者{self.registered}人"

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.community_id and self.registered is not None and self.registered > self.community.residents:
            found.append(
                f"注册志愿者人数({self.registered})超过社区人口({self.community.residents}),请核对。"
            )
        return found


class MemberVillage(CommunityRecord):
    """A village served by a rural (中心村型) community (R-SCOPE: about 3 km, 5–10 villages)."""

    # R-SCOPE's "about 3 km", unless the community's edition sets another radius.
    SERVICE_RADIUS_KM = Decimal("3")

    name = models.CharField("村名", max_length=40, validators=NAME_VALIDATORS)
    distance_km = models.DecimalField(
        "距中心村距离(公里)",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"), message="距离不能为负数。")],
    )
    population = models.PositiveIntegerField(
        "人口", validators=[MinValueValidator(1, message="人口必须为正整数。")]
    )
    households = models.PositiveIntegerField(
        "户数", null=True, blank=True, validators=[MinValueValidator(1, message="户数必须为正整数。")]
    )

    # Checked by the application only: no database constraint backs this rule.
    unique_rules = (UniqueRule(("community", "name"), "name", "本社区已登记同名村。", database=False),)

    class Meta:
        verbose_name = verbose_name_plural = "所辖村"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(distance_km__gte=0), name="member_village_distance_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(population__gt=0), name="member_village_population_positive"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.community_id and self.community.kind != Community.Kind.RURAL:
            errors["community"] = "只有农村社区(中心村型)才登记所辖村。"
        if self.households and self.population and self.households > self.population:
            errors["households"] = "户数不能多于人口。"
        super().clean(errors)

    def service_radius_km(self) -> Decimal:
        if not self.community_id:
            return self.SERVICE_RADIUS_KM
        radius = measures.edition_params(self.community, "service_scope_met").get("radius_km")
        return Decimal(str(radius)) if radius is not None else self.SERVICE_RADIUS_KM

    @property
    def warnings(self) -> list[str]:
        found = []
        radius = self.service_radius_km()
        if self.distance_km is not None and Decimal(self.distance_km) > radius:
            found.append(f"距中心村 {self.distance_km} 公里,超出约 {radius} 公里的服务半径(标准 R-SCOPE)。")
        return found


class VillageRecognition(CommunityRecord):
    """Whether a village reached the "五个好" standard in a year: recorded by the town with its evidence,
    confirmed by the district (the documents do not define the list; it is a yes/no per village and year)."""

    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    recognised = models.BooleanField("达到“五个好”标准", default=False)
    evidence = EvidenceField("佐证材料", help_text="认定材料(PDF、JPEG、PNG、Word)。")
    confirmed_by_district = models.BooleanField("区县已确认", default=False)
    note = models.TextField("备注", blank=True)

    unique_rules = (UniqueRule(("community", "year"), "year", "该村本年度已有“五个好”认定记录。"),)

    class Meta:
        verbose_name = verbose_name_plural = "“五个好”认定"
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year"], name="village_recognition_one_per_year"),
        ]

    def __str__(self):
        return f"{self.year}年“五个好”:{'达到' if self.recognised else '未达到'}"

    def clean(self):
        errors = {}
        if self.community_id and self.community.kind != Community.Kind.VILLAGE:
            errors["community"] = "“五个好”认定只适用于行政村(嘎查)。"
        super().clean(errors)

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.recognised and not self.evidence:
            found.append("认定为达到“五个好”标准,但未上传佐证材料。")
        return found


class TownRecognitionQuerySet(ScopedQuerySet):
    unit_field = "unit"


class TownRecognition(changes.Counted, UniqueRulesMixin, models.Model):
    """Whether a town reached the "六个好" standard in a year (V section; the documents do not define the
    list): recorded by the town with its evidence, confirmed by the district. A town's record, not a
    community's, so it is scoped by its unit."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, verbose_name="乡镇(街道)", limit_choices_to={"tier": Tier.TOWN}
    )
    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    recognised = models.BooleanField("达到“六个好”标准", default=False)
    evidence = EvidenceField("佐证材料", help_text="认定材料(PDF、JPEG、PNG、Word)。")
    confirmed_by_district = models.BooleanField("区县已确认", default=False)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = TownRecognitionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    unique_rules = (UniqueRule(("unit", "year"), "year", "该乡镇(街道)本年度已有“六个好”认定记录。"),)

    class Meta:
        verbose_name = verbose_name_plural = "乡镇“六个好”认定"
        ordering = ["-year", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="town_recognition_one_per_year")]

    def __str__(self):
        return f"{self.unit}{self.year}年“六个好”:{'达到' if self.recognised else '未达到'}"

    def clean(self):
        errors = {}
        if self.unit_id and self.unit.tier != Tier.TOWN:
            errors["unit"] = "“六个好”认定只适用于乡镇(街道)。"
        super().clean(errors)

    @property
    def warnings(self) -> list[str]:
        return ["认定为达到“六个好”标准,但未上传佐证材料。"] if self.recognised and not self.evidence else []
