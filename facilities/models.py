"""Service stations and centres with their rooms, plaques, windows and boards (U-STATION … U-SCREEN,
R-AREA … R-BOARDS), and the rural environment checklists (R-4TONG, R-5HUA, R-5YI, R-5WU5GAI).

Thresholds of the standard (300 m², 2/3, "≥2 disclosure boards", …) are not read here: they are
data of the standard edition, judged by the evaluator. These models refuse only what cannot be
true (a zero area, an activity area larger than the building, rooms of the other kind of facility).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from communities.models import Community, CommunityRecord
from core.fields import ChoiceListField, EvidenceField
from core.uniqueness import UniqueRule
from core.validators import YEAR_VALIDATORS

# Rooms. Three codes are shared by both kinds of facility; the rest belong to one kind only.
ROOMS = [
    ("service_hall", "综合服务大厅(一门式/便民)"),
    ("activity_room", "文体活动室"),
    ("police_room", "警务室"),
    ("council_room", "居民议事室"),
    ("library_archive", "图书档案室"),
    ("rights_room", "居民维权议事室(法务工作室)"),
    ("meeting_room", "多功能会议室"),
    ("reading_room", "图书阅览室"),
    ("family_planning_room", "计生服务室"),
    ("clinic", "卫生室"),
    ("shop", "便民超市"),
]
# U-ROOMS: 一厅五室 (the hall, five rooms and the police room, as docs/api.md lists them).
URBAN_ROOMS = (
    "service_hall",
    "activity_room",
    "council_room",
    "library_archive",
    "rights_room",
    "police_room",
)
# R-8HAVE: 八有.
RURAL_ROOMS = (
    "service_hall",
    "meeting_room",
    "activity_room",
    "reading_room",
    "family_planning_room",
    "police_room",
    "clinic",
    "shop",
)

PLAQUES = [  # U-PLAQUES
    ("party_org", "社区党组织"),
    ("residents_committee", "社区居委会"),
    ("service_center", "社区党员群众服务中心"),
    ("service_station", "社区服务站"),
]
WINDOWS = [  # U-WINDOWS
    ("party_service", "党员服务"),
    ("employment", "就业社保"),
    ("assistance", "社会救助"),
    ("management", "社区管理"),
    ("governance", "综合治理"),
    ("community_service", "社区服务"),
    ("family_planning", "人口计生"),
]
ONE_STOP_SERVICES = [  # R-HALL
    ("labour", "劳务服务"),
    ("land_transfer", "土地流转"),
    ("social_security", "社会保障"),
    ("assistance", "社会救助"),
    ("agritech", "农技推广"),
    ("information", "信息咨询"),
    ("party_transfer", "党员关系转接"),
]
STATIONS = [  # R-STATIONS
    ("health", "卫生服务站"),
    ("sanitation", "环卫服务站"),
    ("culture_sports", "文教体育服务站"),
    ("family_planning", "计划生育服务站"),
    ("social_security", "社会保障服务站"),
    ("policing", "社区警务站"),
    ("volunteer", "志愿者服务站"),
]
FUNCTIONS = [  # R-FUNC
    ("office", "组织办公"),
    ("security", "社会治安"),
    ("health_education_planning", "卫生、教育、计生"),
    ("social_affairs", "社会事务与社会救助"),
    ("labour", "劳务服务"),
    ("agritech", "农技服务"),
    ("culture_sports", "文化体育"),
    ("shopping", "商贸超市"),
]
RURAL_BOARDS = [  # R-BOARDS
    ("community_affairs", "社区事务公告栏"),
    ("village_affairs", "村务公开栏"),
    ("science", "科普宣传栏"),
]


class Facility(CommunityRecord):
    """A community service station (urban) or a rural community service centre."""

    class Kind(models.TextChoices):
        SERVICE_STATION = "service_station", "社区服务站"
        SERVICE_CENTER = "service_center", "农村社区服务中心"

    # The kind of facility each kind of community is expected to have (U-STATION, R-AREA).
    EXPECTED_KIND = {
        Community.Kind.URBAN: Kind.SERVICE_STATION,
        Community.Kind.RURAL: Kind.SERVICE_CENTER,
    }
    ROOMS_OF_KIND = {Kind.SERVICE_STATION: URBAN_ROOMS, Kind.SERVICE_CENTER: RURAL_ROOMS}

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    name = models.CharField("名称", max_length=80)
    address = models.CharField("地址", max_length=120, blank=True)
    area_m2 = models.DecimalField(
        "建筑面积(平方米)",
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"), message="建筑面积必须大于0。")],
    )
    activity_area_m2 = models.DecimalField(
        "居民活动用房面积(平方米)",
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(0, message="活动用房面积不能为负数。")],
        help_text="供居民活动的面积,不超过建筑面积。",
    )
    rooms = ChoiceListField(
        "功能用房",
        item_choices=ROOMS,
        help_text="城市社区服务站按“一厅五室”:综合服务大厅、文体活动室、居民议事室、图书档案室、"
        "居民维权议事室、警务室;农村社区服务中心按“八有”:综合服务大厅、多功能会议室、文体活动室、"
        "图书阅览室、计生服务室、警务室、卫生室、便民超市。",
    )
    plaques = ChoiceListField("挂牌", item_choices=PLAQUES)
    windows = ChoiceListField("服务窗口", item_choices=WINDOWS, help_text="城市社区服务站的服务窗口。")
    one_stop_services = ChoiceListField(
        "一站式大厅办理事项", item_choices=ONE_STOP_SERVICES, help_text="农村社区服务中心便民服务大厅。"
    )
    stations = ChoiceListField("服务站点", item_choices=STATIONS, help_text="农村社区服务中心下设的七站。")
    functions = ChoiceListField("服务功能", item_choices=FUNCTIONS, help_text="农村社区服务中心的八项功能。")
    publicity_boards = models.PositiveSmallIntegerField(
        "宣传栏(块)", default=0, validators=[MinValueValidator(0, message="数量不能为负数。")]
    )
    disclosure_boards = models.PositiveSmallIntegerField(
        "公开栏(块)", default=0, validators=[MinValueValidator(0, message="数量不能为负数。")]
    )
    rural_boards = ChoiceListField("农村社区三栏", item_choices=RURAL_BOARDS)
    electronic_screen = models.BooleanField("电子显示屏", default=False)
    has_yard_or_square = models.BooleanField("有院落或广场", default=False)
    equipment = models.TextField("办公设备", blank=True, help_text="如电脑、摄像机、打印机、扫描仪。")
    procedures_posted = models.BooleanField("办事程序、制度上墙公示", default=False)
    photo = EvidenceField("照片")

    class Meta:
        verbose_name = verbose_name_plural = "社区服务站(中心)"
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["community", "kind"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(area_m2__gt=0), name="facility_area_positive"),
            models.CheckConstraint(
                condition=models.Q(activity_area_m2__gte=0, activity_area_m2__lte=models.F("area_m2")),
                name="facility_activity_area_within_area",
            ),
        ]

    def __str__(self):
        return f"{self.name}({self.get_kind_display()})"

    def clean(self):
        errors = {}
        if (
            isinstance(self.area_m2, Decimal)
            and isinstance(self.activity_area_m2, Decimal)
            and self.area_m2 > 0
            and self.activity_area_m2 > self.area_m2
        ):
            errors["activity_area_m2"] = (
                f"活动用房面积({self.activity_area_m2} 平方米)不能超过建筑面积({self.area_m2} 平方米)。"
            )
        allowed = self.ROOMS_OF_KIND.get(self.kind)
        if allowed is not None and isinstance(self.rooms, list):
            names = dict(ROOMS)
            wrong = [code for code in self.rooms if code in names and code not in allowed]
            if wrong:
                other = (
                    "农村社区服务中心“八有”"
                    if self.kind == self.Kind.SERVICE_STATION
                    else "城市社区服务站“一厅五室”"
                )
                errors["rooms"] = (
                    f"{self.get_kind_display()}不设{'、'.join(names[code] for code in wrong)},"
                    f"这些属于{other}。"
                )
        if errors:
            raise ValidationError(errors)

    @property
    def warnings(self) -> list[str]:
        found = []
        community = self.community if self.community_id else None
        expected = self.EXPECTED_KIND.get(community.kind) if community else None
        if expected and self.kind and self.kind != expected:
            found.append(
                f"{community.get_kind_display()}一般设{expected.label},"
                f"这里登记的是{self.get_kind_display()},请核实类别。"
            )
        return found


FOUR_LINKS = [("road", "路通"), ("water", "水通"), ("power", "电通"), ("information", "信息通")]  # R-4TONG
FIVE_IMPROVEMENTS = [  # R-5HUA
    ("hardened", "硬化"),
    ("clean", "净化"),
    ("green", "绿化"),
    ("lit", "亮化"),
    ("beautified", "美化"),
]
FIVE_ONES = [  # R-5YI
    ("paved_street", "一条硬化街道"),
    ("night_lighting", "一套夜间照明"),
    ("publicity_wall", "一面宣传墙"),
    ("sports_square", "一个文体广场"),
    ("green_space", "一片绿地"),
]
FIVE_NOS_FIVE_UPGRADES = [  # R-5WU5GAI
    ("no_manure", "无粪堆"),
    ("no_rubbish", "无垃圾堆"),
    ("no_firewood", "无柴草堆"),
    ("no_earth", "无土堆"),
    ("no_stone", "无石料堆"),
    ("water_upgraded", "改水"),
    ("kitchen_upgraded", "改厨"),
    ("toilet_upgraded", "改厕"),
    ("pen_upgraded", "改圈"),
    ("yard_upgraded", "改院"),
]


class EnvironmentCheck(CommunityRecord):
    """A rural community's environment checklist for one year: which items are in place."""

    year_field = "year"

    year = models.PositiveSmallIntegerField("年度", validators=YEAR_VALIDATORS)
    four_links = ChoiceListField("四通", item_choices=FOUR_LINKS)
    five_improvements = ChoiceListField("五化", item_choices=FIVE_IMPROVEMENTS)
    five_ones = ChoiceListField("五个一", item_choices=FIVE_ONES)
    five_nos_five_upgrades = ChoiceListField("五无五改", item_choices=FIVE_NOS_FIVE_UPGRADES)
    note = models.TextField("说明", blank=True)
    evidence = EvidenceField("佐证材料")

    unique_rules = (UniqueRule(("community", "year"), "year", "该社区{year}年的环境检查已登记。"),)

    class Meta:
        verbose_name = verbose_name_plural = "农村社区环境检查"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year"], name="environment_check_one_per_year"),
        ]

    def __str__(self):
        return f"{self.year}年环境检查"

    @property
    def warnings(self) -> list[str]:
        if self.community_id and self.community.kind == Community.Kind.URBAN:
            return ["四通、五化、五个一、五无五改是农村社区的环境要求,这里登记的是城市社区。"]
        return []
