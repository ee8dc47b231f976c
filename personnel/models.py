import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from communities.models import CommunityRecord
from core.fields import EvidenceField
from core.privacy import mask_phone
from core.uniqueness import UniqueRule
from core.validators import NAME_VALIDATORS, not_in_future, validate_phone


def not_after_this_year(value):
    if value is not None and value > timezone.localdate().year:
        raise ValidationError("年份不能晚于今年。", code="future_year")


def _one_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, month=3, day=1)


class Member(CommunityRecord):
    """A member of one of the community's bodies (committee, party organisation, station staff)."""

    class Body(models.TextChoices):
        RESIDENTS_COMMITTEE = "residents_committee", "社区居委会"
        PARTY_ORGANIZATION = "party_organization", "社区党组织"
        VILLAGERS_COMMITTEE = "villagers_committee", "村民委员会"
        PARTY_BRANCH = "party_branch", "村党支部"
        SERVICE_STATION = "service_station", "社区服务站"

    class Role(models.TextChoices):
        SECRETARY = "secretary", "书记"
        DEPUTY_SECRETARY = "deputy_secretary", "副书记"
        DIRECTOR = "director", "主任"
        DEPUTY_DIRECTOR = "deputy_director", "副主任"
        MEMBER = "member", "委员"
        ACCOUNTANT = "accountant", "会计"
        STAFF = "staff", "工作人员"

    class PayType(models.TextChoices):
        FIXED = "fixed", "固定报酬(基本+工龄+绩效)"
        PER_DAY = "per_day", "按误工天数补贴"

    # The residents' (urban) and villagers' (rural) committees: the bodies whose members lead
    # sub-committees (U-SUBC).
    COMMITTEES = (Body.RESIDENTS_COMMITTEE, Body.VILLAGERS_COMMITTEE)

    name = models.CharField("姓名", max_length=40, validators=NAME_VALIDATORS)
    body = models.CharField("所属组织", max_length=30, choices=Body.choices)
    role = models.CharField("职务", max_length=20, choices=Role.choices)
    full_time = models.BooleanField("专职", default=True)
    resident_since = models.DateField(
        "在本社区居住起始日期", null=True, blank=True, validators=[not_in_future]
    )
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])
    elected = models.BooleanField("经选举产生", default=True)
    social_worker_certificate = models.BooleanField("持有社会工作者职业水平证书", default=False)
    certificates = models.CharField("其他证书", max_length=200, blank=True)
    pay_type = models.CharField("报酬方式", max_length=10, choices=PayType.choices, blank=True)

    personal_fields = {"phone": mask_phone}  # see core.privacy

    class Meta:
        verbose_name = verbose_name_plural = "组织成员"
        ordering = ["body", "role", "name"]
        indexes = [models.Index(fields=["community", "body"])]

    def __str__(self):
        return f"{self.name}({self.get_body_display()}{self.get_role_display()})"


class SubCommittee(CommunityRecord):
    """U-SUBC: the committee's five sub-committees, each led by a committee member with 3–5
    resident representatives."""

    class Kind(models.TextChoices):
        MEDIATION = "mediation", "人民调解"
        SECURITY = "security", "治安保卫"
        PUBLIC_HEALTH = "public_health", "公共卫生"
        FAMILY_PLANNING = "family_planning", "人口计生"
        CULTURE = "culture", "群众文化"

    kind = models.CharField("下属委员会", max_length=20, choices=Kind.choices)
    # Nullable only so that deleting a member leaves the sub-committee (without a leader) in place;
    # forms and the API require a leader.
    leader = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        related_name="led_subcommittees",
        verbose_name="负责人(委员会成员)",
    )
    resident_representatives = models.PositiveSmallIntegerField(
        "居民代表人数", validators=[MaxValueValidator(100, message="居民代表人数不能超过100。")]
    )
    note = models.CharField("备注", max_length=200, blank=True)

    unique_rules = (UniqueRule(("community", "kind"), "kind", "本社区已登记该下属委员会。"),)

    class Meta:
        verbose_name = verbose_name_plural = "下属委员会"
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["community", "kind"], name="subcommittee_unique_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}委员会"

    def clean(self):
        errors = {}
        if self.leader_id and self.community_id:
            leader = self.leader
            if leader.community_id != self.community_id:
                errors["leader"] = "负责人须为本社区的成员。"
            elif leader.body not in Member.COMMITTEES:
                errors["leader"] = "负责人须为本社区居民委员会或村民委员会的成员。"
        super().clean(errors)

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.leader_id is None:
            found.append("尚未指定负责人(原负责人记录可能已删除)。")
        count = self.resident_representatives
        if count is not None and not 3 <= count <= 5:
            found.append(f"下属委员会应有3至5名居民代表(标准 U-SUBC),当前为{count}名。")
        return found


class ResidentsGroup(CommunityRecord):
    """U-GROUP: residents' groups (居民小组) of 200–300 households, leader elected by the group."""

    name = models.CharField("小组名称", max_length=60)
    households = models.PositiveIntegerField(
        "户数", validators=[MinValueValidator(1, message="户数必须为正整数。")]
    )
    leader_name = models.CharField("组长姓名", max_length=40, validators=NAME_VALIDATORS)
    leader_elected_by_group = models.BooleanField("组长由本组居民推选", default=True)
    term_start = models.DateField("任期开始")
    term_end = models.DateField("任期结束")

    class Meta:
        verbose_name = verbose_name_plural = "居民小组"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(households__gt=0), name="residentsgroup_households_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(term_end__gt=models.F("term_start")), name="residentsgroup_term_order"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.term_start and self.term_end and self.term_end <= self.term_start:
            raise ValidationError({"term_end": "任期结束日期须晚于任期开始日期。"})

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.households and not 200 <= self.households <= 300:
            found.append(f"居民小组一般按200至300户划分(标准 U-GROUP),本组为{self.households}户。")
        if not self.leader_elected_by_group:
            found.append("居民小组组长应由本组居民推选产生(标准 U-GROUP)。")
        return found


class BuildingLeader(CommunityRecord):
    """U-BLDG: one building leader (门栋长) per 20–30 households."""

    name = models.CharField("姓名", max_length=40, validators=NAME_VALIDATORS)
    building = models.CharField("楼栋(单元)", max_length=60)
    households = models.PositiveIntegerField(
        "联系户数", validators=[MinValueValidator(1, message="联系户数必须为正整数。")]
    )
    phone = models.CharField("联系电话", max_length=20, blank=True, validators=[validate_phone])

    personal_fields = {"phone": mask_phone}  # see core.privacy

    class Meta:
        verbose_name = verbose_name_plural = "门栋长"
        ordering = ["building", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(households__gt=0), name="buildingleader_households_positive"
            ),
        ]

    def __str__(self):
        return f"{self.name}({self.building})"

    @property
    def warnings(self) -> list[str]:
        if self.households and not 20 <= self.households <= 30:
            return [f"门栋长一般每20至30户设一名(标准 U-BLDG),当前联系{self.households}户。"]
        return []


class Election(CommunityRecord):
    """An election of one of the community's bodies (U-ELECT, U-ELECTED, V-DIRECT)."""

    class Method(models.TextChoices):
        DIRECT = "direct", "直接选举"
        REPRESENTATIVES = "representatives", "户代表选举"
        TWO_RECOMMENDATIONS = "two_recommendations", "两推一选"
        OTHER = "other", "其他"

    body = models.CharField("选举的组织", max_length=30, choices=Member.Body.choices)
    held_on = models.DateField("选举日期", validators=[not_in_future])
    direct = models.BooleanField("直接选举", default=False)
    method = models.CharField("选举方式", max_length=20, choices=Method.choices)
    voters = models.PositiveIntegerField(
        "登记选民数", validators=[MinValueValidator(1, message="登记选民数必须为正整数。")]
    )
    turnout_percent = models.DecimalField(
        "参选率(%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0"), message="参选率须在0至100之间。"),
            MaxValueValidator(Decimal("100"), message="参选率须在0至100之间。"),
        ],
    )
    election_committee_size = models.PositiveSmallIntegerField(
        "选举委员会人数",
        null=True,
        blank=True,
        validators=[MinValueValidator(1, message="选举委员会人数必须为正整数。")],
    )
    roster_filed_on = models.DateField(
        "新一届名录报市备案日期",
        null=True,
        blank=True,
        validators=[not_in_future],
        help_text="标准 U-ROSTER:新一届居委会名录应在当年年底前报市民政局备案。",
    )
    evidence = EvidenceField("选举材料(公告、选票统计等)")

    class Meta:
        verbose_name = verbose_name_plural = "换届选举"
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(voters__gt=0), name="election_voters_positive"),
        ]

    def __str__(self):
        return f"{self.held_on} {self.get_body_display()}选举"

    def clean(self):
        if self.method == self.Method.DIRECT and not self.direct:
            raise ValidationError({"direct": "选举方式为“直接选举”时,须勾选“直接选举”。"})
        if self.roster_filed_on and self.held_on and self.roster_filed_on < self.held_on:
            raise ValidationError({"roster_filed_on": "名录备案日期不能早于选举日期。"})

    @property
    def warnings(self) -> list[str]:
        found = []
        party = (Member.Body.PARTY_BRANCH, Member.Body.PARTY_ORGANIZATION)
        if self.method == self.Method.TWO_RECOMMENDATIONS and self.body not in party:
            found.append("“两推一选”用于党组织班子成员的产生,所选组织不是党组织。")
        if self.body == Member.Body.VILLAGERS_COMMITTEE and not self.direct:
            found.append("村民委员会应由村民直接选举产生(标准 V-DIRECT)。")
        return found


class ElectionCandidate(CommunityRecord):
    """U-CAND: a candidate in an election; lived in the community ≥1 year, not on the election
    committee."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="candidates", verbose_name="选举"
    )
    name = models.CharField("姓名", max_length=40, validators=NAME_VALIDATORS)
    resident_since = models.DateField("在本社区居住起始日期", validators=[not_in_future])
    on_election_committee = models.BooleanField("同时为选举委员会成员", default=False)
    elected = models.BooleanField("当选", default=False)
    notice_started_on = models.DateField(
        "公示开始日期",
        null=True,
        blank=True,
        validators=[not_in_future],
        help_text="村党支部候选人选举前公示的开始日期(标准 V-NOTICE:至少公示7天)。",
    )

    class Meta:
        verbose_name = verbose_name_plural = "选举候选人"
        ordering = ["name"]

    def __str__(self):
        # Local fields only: history rows outlive the election they point to.
        return f"{self.name}(候选人)"

    def clean(self):
        if self.election_id and self.community_id and self.election.community_id != self.community_id:
            raise ValidationError({"election": "所选选举不属于本社区。"})
        if self.election_id and self.notice_started_on and self.notice_started_on > self.election.held_on:
            raise ValidationError({"notice_started_on": "公示开始日期不能晚于选举日期。"})

    @property
    def warnings(self) -> list[str]:
        found = []
        election = self.election if self.election_id else None
        if election and self.resident_since and _one_year_after(self.resident_since) > election.held_on:
            found.append(
                f"候选人在本社区居住不满一年(自{self.resident_since}起,选举日期{election.held_on};标准 U-CAND)。"
            )
        if self.on_election_committee:
            found.append("选举委员会成员被提名为候选人的,应退出选举委员会(标准 U-CAND)。")
        return found


class Training(CommunityRecord):
    """U-TRAIN, V-TRAIN: a training attended by a member (or a named cadre)."""

    class Tier(models.TextChoices):
        CITY = "city", "市级"
        DISTRICT = "district", "区(县)级"
        TOWN = "town", "乡镇(街道)级"

    trainee = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainings",
        verbose_name="受训成员",
    )
    trainee_name = models.CharField(
        "受训人姓名",
        max_length=40,
        blank=True,
        validators=NAME_VALIDATORS,
        help_text="未选择受训成员时填写;选择成员时可留空。",
    )
    organiser_tier = models.CharField("举办层级", max_length=10, choices=Tier.choices)
    held_on = models.DateField("培训日期", validators=[not_in_future])
    days = models.DecimalField(
        "培训天数",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"), message="培训天数必须大于0。")],
    )
    topic = models.CharField("培训内容", max_length=200)
    practical_techniques = models.PositiveSmallIntegerField(
        "掌握实用技术项数",
        default=0,
        validators=[MaxValueValidator(100, message="实用技术项数不能超过100。")],
    )

    class Meta:
        verbose_name = verbose_name_plural = "培训记录"
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(days__gt=0), name="training_days_positive"),
        ]

    def __str__(self):
        return f"{self.trainee_name or '—'} {self.held_on} {self.topic}"

    def save(self, *args, **kwargs):
        # Keep the name on the record itself: it outlives the member record.
        if self.trainee_id and not self.trainee_name:
            self.trainee_name = self.trainee.name
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.trainee_id and self.community_id and self.trainee.community_id != self.community_id:
            errors["trainee"] = "受训成员须为本社区的成员。"
        if not self.trainee_id and not self.trainee_name:
            errors["trainee_name"] = "请选择受训成员或填写受训人姓名。"
        if errors:
            raise ValidationError(errors)


class ReserveCadre(CommunityRecord):
    """后备干部: reserve cadres kept by the community."""

    name = models.CharField("姓名", max_length=40, validators=NAME_VALIDATORS)
    birth_year = models.PositiveSmallIntegerField(
        "出生年份",
        validators=[MinValueValidator(1940, message="出生年份不能早于1940年。"), not_after_this_year],
    )
    education = models.CharField("文化程度", max_length=40, blank=True)
    since = models.DateField("列为后备干部日期", validators=[not_in_future])
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "后备干部"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.birth_year and self.since and self.since.year < self.birth_year:
            raise ValidationError({"since": "列为后备干部日期不能早于出生年份。"})


class PartyMemberCase(CommunityRecord):
    """V-MEMBER: developing a new party member — appraisal, exam, public notice ("两推一评一考一公示";
    the documents give the 7-day notice only for branch candidates, V-NOTICE, so no length is checked)."""

    name = models.CharField("姓名", max_length=40, validators=NAME_VALIDATORS)
    appraisal_approval_percent = models.DecimalField(
        "民主测评赞成率(%)",
        max_digits=5,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0"), message="赞成率须在0至100之间。"),
            MaxValueValidator(Decimal("100"), message="赞成率须在0至100之间。"),
        ],
    )
    exam_passed = models.BooleanField("考试合格", default=False)
    notice_start = models.DateField("公示开始日期")
    notice_end = models.DateField("公示结束日期")
    admitted_on = models.DateField("接收日期", null=True, blank=True, validators=[not_in_future])

    class Meta:
        verbose_name = verbose_name_plural = "党员发展"
        ordering = ["-notice_start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(notice_end__gte=models.F("notice_start")), name="partycase_notice_order"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.notice_start and self.notice_end and self.notice_end < self.notice_start:
            raise ValidationError({"notice_end": "公示结束日期不能早于公示开始日期。"})

    @property
    def warnings(self) -> list[str]:
        found = []
        approval = self.appraisal_approval_percent
        if approval is not None and approval <= 60:
            found.append(f"入党积极分子民主测评赞成率需超过60%(标准 V-MEMBER),当前为{approval}%。")
        if self.admitted_on:
            if not self.exam_passed:
                found.append("考试未合格即已接收(标准 V-MEMBER)。")
            if self.notice_end and self.admitted_on <= self.notice_end:
                found.append("公示期结束前已接收(标准 V-MEMBER)。")
        return found


class Appraisal(CommunityRecord):
    """V-APPRAISE, V-MEMBERAPPR: half-yearly appraisal of cadres or party members, and audit."""

    class Half(models.IntegerChoices):
        FIRST = 1, "上半年"
        SECOND = 2, "下半年"

    class Subject(models.TextChoices):
        CADRES = "cadres", "干部民主评议"
        PARTY_MEMBERS = "party_members", "党员评议"
        AUDIT = "audit", "财务审计"

    year = models.PositiveSmallIntegerField(
        "年度",
        validators=[MinValueValidator(2000, message="年度不能早于2000年。"), not_after_this_year],
    )
    half = models.PositiveSmallIntegerField("半年", choices=Half.choices)
    subject = models.CharField("事项", max_length=20, choices=Subject.choices)
    held_on = models.DateField("开展日期", validators=[not_in_future])
    participants = models.PositiveIntegerField(
        "参加人数",
        null=True,
        blank=True,
        validators=[MinValueValidator(1, message="参加人数必须为正整数。")],
    )

    unique_rules = (
        UniqueRule(("community", "year", "half", "subject"), "subject", "本社区该半年已登记此项评议或审计。"),
    )

    class Meta:
        verbose_name = verbose_name_plural = "评议与审计"
        ordering = ["-year", "-half", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year", "half", "subject"], name="appraisal_unique_half"
            ),
        ]

    def __str__(self):
        return f"{self.year}年{self.get_half_display()}{self.get_subject_display()}"

    def clean(self):
        errors = {}
        if self.year and self.half in (1, 2) and self.held_on:
            months = range(1, 7) if self.half == 1 else range(7, 13)
            if self.held_on.year != self.year or self.held_on.month not in months:
                errors["held_on"] = f"开展日期须在{self.year}年{self.get_half_display()}之内。"
        super().clean(errors)


class Talk(CommunityRecord):
    """V-TALK: township leaders talk with the two main village leaders (at least quarterly)."""

    held_on = models.DateField("谈话日期", validators=[not_in_future])
    township_leader = models.CharField("乡镇(街道)领导", max_length=60)
    village_leaders = models.CharField("村(社区)主要负责人", max_length=100)
    topic = models.CharField("谈话内容", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "谈心谈话"
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.held_on} {self.township_leader}谈话"
