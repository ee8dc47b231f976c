"""`stats/`: programme figures for the city's big-screen clients and the dashboards' charts (docs/api.md, programme figures).

Each answer is for a year (`?year=`, this year by default) and a unit (`?unit=`, the caller's own
by default; it must lie in the caller's subtree), read from the caller's scope and cached briefly
(`assessments.stats`). The serializers below describe the answers in the OpenAPI schema and shape
them, so that an answer always matches its schema.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import RolePermission
from core.roles import Tier

from .. import stats
from ..forms import StatsQueryForm


def _counts(help_text: str, **kwargs):
    return serializers.DictField(child=serializers.IntegerField(), help_text=help_text, **kwargs)


class MoneySerializer(serializers.Serializer):
    due = serializers.CharField(help_text="应拨工作经费(元,两位小数的字符串)")
    paid = serializers.CharField(help_text="实际到位(元)")
    district_share = serializers.CharField(required=False, help_text="区县承担(元)")
    paid_percent = serializers.FloatField(required=False, allow_null=True, help_text="到位率(%)")


class CommunitiesSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_kind = _counts("按类别:urban、rural、village")
    by_subtype = _counts("按类型:ordinary、unit、market_town、new_residential")


class SelfChecksSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = _counts("按状态:draft、submitted、returned、district_approved、accepted、rejected")
    by_level = _counts("按达到等级(none 为未达标)")
    by_proposed_level = _counts("按预计等级(none 为未达标)")


class TargetSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="ENROL 创建活动比例;U-ELECT 直接选举;V-CROSS 交叉任职;V-ONE 一人兼;V-5GOOD 五个好;"
        "T-6GOOD 六个好;R-NEW 每乡镇每年新建中心村;R-321 三二一工程"
    )
    label = serializers.CharField()
    short = serializers.CharField(help_text="简称,用于图表坐标轴")
    percent = serializers.FloatField(allow_null=True, help_text="实际(%);无可计之数时为 null")
    of = serializers.IntegerField(help_text="基数:社区、村或乡镇的个数")
    target = serializers.FloatField(allow_null=True, help_text="目标(%)")
    met = serializers.BooleanField(allow_null=True, help_text="是否达到目标")
    enrolled = serializers.IntegerField(required=False)
    passing = serializers.IntegerField(required=False, help_text="自身达标的村数(V-CROSS)")
    count = serializers.IntegerField(required=False)
    towns = serializers.IntegerField(required=False, help_text="参与计算的乡镇数")
    towns_meeting = serializers.IntegerField(required=False, help_text="达到目标的乡镇数")
    counts = _counts("三年内各称号个数(R-321)", required=False)
    window = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="起止年度")


class IndicatorCountSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    title = serializers.CharField(help_text="指标简称:要求的首句(过长时截断),用于图表坐标轴")
    requirement = serializers.CharField()
    level = serializers.CharField()
    failures = serializers.IntegerField()
    of = serializers.IntegerField()
    percent = serializers.FloatField()


class DesignationsSerializer(serializers.Serializer):
    by_title = _counts("本年度授予的称号(未撤销)")
    by_district = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))


class ScoreBandsRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    name = serializers.CharField()
    counts = _counts("各分数段的自查数")


class ScoreDistributionSerializer(serializers.Serializer):
    bands = serializers.ListField(
        child=serializers.CharField(), help_text="分数段:0-59、60-69、70-79、80-89、90-100(含下限,不含上限)"
    )
    total = _counts("本单位各分数段的自查数")
    rows = ScoreBandsRowSerializer(many=True, help_text="每个下级单位一行(乡镇没有下级单位:为空)")


class SectionLossSerializer(serializers.Serializer):
    section = serializers.CharField(help_text="一级指标(栏目)")
    lost = serializers.FloatField(help_text="该栏目各指标失分合计(已评判的指标:满分减得分)")
    self_checks = serializers.IntegerField(help_text="所用标准含该栏目的自查数")
    average = serializers.FloatField(allow_null=True, help_text="平均每份自查失分")


class OverviewSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    unit = serializers.IntegerField(allow_null=True)
    communities = CommunitiesSerializer()
    self_checks = SelfChecksSerializer()
    designations = DesignationsSerializer()
    targets = TargetSerializer(many=True)
    work_funds = MoneySerializer()
    most_failed = IndicatorCountSerializer(many=True)
    commonest_gaps = IndicatorCountSerializer(many=True, help_text="出现在“距下一等级差距”中最多的指标")
    self_checks_counted = serializers.IntegerField()
    score_distribution = ScoreDistributionSerializer(help_text="本年度自查得分分布")
    points_lost_by_section = SectionLossSerializer(many=True, help_text="各一级指标失分,失分多的在前")


class UnitRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    name = serializers.CharField()
    tier = serializers.CharField()
    communities = CommunitiesSerializer()
    self_checks = SelfChecksSerializer()
    titles = _counts("本年度授予的称号")
    targets = TargetSerializer(many=True)
    work_funds = MoneySerializer()


class UnitsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    unit = serializers.IntegerField(allow_null=True)
    rows = UnitRowSerializer(many=True)


class CommunityRowSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    subtype = serializers.CharField()
    self_check = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    level = serializers.CharField(allow_null=True)
    proposed_level = serializers.CharField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    failed = serializers.IntegerField(allow_null=True, help_text="未通过的指标数")
    enrolled = serializers.BooleanField()
    title = serializers.CharField(allow_null=True)
    work_funds = MoneySerializer(allow_null=True)


class CommunitiesRowsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    unit = serializers.IntegerField()
    rows = CommunityRowSerializer(many=True)


class TrendRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    communities = serializers.IntegerField(help_text="当年年末已成立的社区")
    self_checks = serializers.IntegerField()
    by_status = _counts("按状态")
    titles = _counts("当年授予的称号")
    enrol_percent = serializers.FloatField(allow_null=True)
    direct_election_percent = serializers.FloatField(allow_null=True)
    five_good_percent = serializers.FloatField(allow_null=True)
    work_funds = MoneySerializer()


class TrendSerializer(serializers.Serializer):
    unit = serializers.IntegerField(allow_null=True)
    years = serializers.ListField(child=serializers.IntegerField())
    rows = TrendRowSerializer(many=True)


PARAMETERS = [
    OpenApiParameter("year", int, description="年度(默认今年)"),
    OpenApiParameter("unit", int, description="单位 id(默认本人所在单位;含其下级)"),
]


class StatsView(APIView):
    """Base of the `stats/` answers: the query checked by field (400), the answer from `figures`."""

    # The figures only read (their cache is Redis): a read replica may answer them (core.replica).
    replica_reads = True

    permission_classes = [RolePermission]
    serializer_class = None
    figures = None  # stats.overview, stats.units, ...

    def query(self, request):
        form = StatsQueryForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise ValidationError(form.errors)
        return form.cleaned_data["year"], form.cleaned_data["unit"]

    def get(self, request):
        year, unit = self.query(request)
        return Response(self.serializer_class(type(self).figures(request.user, year, unit)).data)


class StatsOverviewView(StatsView):
    """Communities by kind and subtype, the year's self-checks by status and level, designations by
    title and district, programme targets against actuals, work funds due and paid, and the
    indicators most often failed and most often in gap lists."""

    serializer_class = OverviewSerializer
    figures = staticmethod(stats.overview)

    @extend_schema(parameters=PARAMETERS, responses={200: OverviewSerializer})
    def get(self, request):
        return super().get(request)


class StatsUnitsView(StatsView):
    """The same figures for each child unit (the districts of a city, the towns of a district)."""

    serializer_class = UnitsSerializer
    figures = staticmethod(stats.units)

    def query(self, request):
        year, unit = super().query(request)
        if unit is not None and unit.tier == Tier.TOWN:
            raise ValidationError({"unit": ["乡镇(街道)没有下级单位,请查询 stats/communities/。"]})
        return year, unit

    @extend_schema(parameters=PARAMETERS, responses={200: UnitsSerializer})
    def get(self, request):
        return super().get(request)


class StatsCommunitiesView(StatsView):
    """One row per community of a town: its self-check, level, enrolment, title and work fund."""

    serializer_class = CommunitiesRowsSerializer
    figures = staticmethod(stats.communities)

    def query(self, request):
        year, unit = super().query(request)
        if unit is None or unit.tier != Tier.TOWN:
            raise ValidationError({"unit": ["请指定一个乡镇(街道)。"]})
        return year, unit

    @extend_schema(parameters=PARAMETERS, responses={200: CommunitiesRowsSerializer})
    def get(self, request):
        return super().get(request)


class StatsTrendView(StatsView):
    """The headline figures of the five years up to `year`, one row per year."""

    serializer_class = TrendSerializer
    figures = staticmethod(stats.trend)

    @extend_schema(parameters=PARAMETERS, responses={200: TrendSerializer})
    def get(self, request):
        return super().get(request)
