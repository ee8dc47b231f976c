from django.db import models

from communities.models import CommunityRecord
from core.validators import not_in_future


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

    name = models.CharField("姓名", max_length=40)
    body = models.CharField("所属组织", max_length=30, choices=Body.choices)
    role = models.CharField("职务", max_length=20, choices=Role.choices)
    full_time = models.BooleanField("专职", default=True)
    resident_since = models.DateField(
        "在本社区居住起始日期", null=True, blank=True, validators=[not_in_future]
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    elected = models.BooleanField("经选举产生", default=True)
    social_worker_certificate = models.BooleanField("持有社会工作者职业水平证书", default=False)
    certificates = models.CharField("其他证书", max_length=200, blank=True)
    pay_type = models.CharField("报酬方式", max_length=10, choices=PayType.choices, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织成员"
        ordering = ["body", "role", "name"]
        indexes = [models.Index(fields=["community", "body"])]

    def __str__(self):
        return f"{self.name}({self.get_body_display()}{self.get_role_display()})"
