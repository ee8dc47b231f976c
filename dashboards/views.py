"""The home page (工作台, `DashboardView`: what waits for the user, `workbench`), and the programme
dashboard (统计看板) of each tier with its Excel export.

One page for every tier: the figures of a unit (the user's own by default) and a year, each chart
beside the table of the same numbers, the level below as a drill-down (city → district → town →
community), every number a link to the list behind it. The charts are drawn in the browser from the
`stats/` API (static/js/stats.js); the page's tables and the export are built from the same cached
figures, so all three always agree.
"""

from io import BytesIO

from django.db.models import Count
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views import generic
from openpyxl import Workbook

from assessments.models import SelfCheck
from communities.models import Community
from core import exports
from core.fields import attachment_header
from core.models import ExportLog, Job, Unit
from core.views import DefaultYearMixin, ScopedViewMixin
from designations.models import Designation
from standards.models import Level

from . import stats, workbench
from .forms import StatsQueryForm

EXPORT_NAME, EXPORT_TITLE = "stats", "统计看板"
exports.register_direct(EXPORT_NAME, EXPORT_TITLE)
KINDS = dict(Community.Kind.choices)
STATUSES = dict(SelfCheck.Status.choices)
TITLES = dict(Designation.Title.choices)
LEVELS = {SelfCheck.NO_LEVEL: "未达标", **dict(Level.choices)}


def _labelled(rows: list[dict]) -> list[dict]:
    """Community rows with the Chinese labels of their codes, for the page's table."""
    return [
        {
            **row,
            "kind_label": KINDS[row["kind"]],
            "status_label": STATUSES.get(row["status"], ""),
            "level_label": LEVELS.get(row["level"], ""),
            "proposed_level_label": LEVELS.get(row["proposed_level"], ""),
            "title_label": TITLES.get(row["title"], ""),
        }
        for row in rows
    ]


def _score_rows(distribution: dict) -> list[dict]:
    """The score distribution's rows with their counts in band order (the page's table), the unit's
    total last."""
    bands = distribution["bands"]
    rows = [
        {"unit": row["unit"], "name": row["name"], "counts": [row["counts"][band] for band in bands]}
        for row in distribution["rows"]
    ]
    return [*rows, {"unit": None, "name": "合计", "counts": [distribution["total"][band] for band in bands]}]


class StatsQueryMixin(ScopedViewMixin):
    """Reads `?year=` and `?unit=` with `StatsQueryForm`: a unit outside the caller's subtree is a
    404 on a page, as every object out of scope."""

    # The figures only read (their cache is Redis): a read replica may answer them (core.replica).
    replica_reads = True

    def query(self):
        form = StatsQueryForm(self.request.GET, user=self.request.user)
        if not form.is_valid():
            if "unit" in form.errors:
                raise Http404("该单位不存在或不在您的管辖范围内。")
            return form, None, None
        return form, form.cleaned_data["year"], form.cleaned_data["unit"]


class StatsDashboardView(StatsQueryMixin, DefaultYearMixin, generic.TemplateView):
    template_name = "dashboards/stats_dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, year, unit = self.query()
        context["form"] = form
        if year is None:
            return context
        figures = stats.dashboard(self.request.user, year, unit)
        overview = figures["overview"]
        trend = figures["trend"]["rows"]
        context.update(
            year=year,
            unit=unit,
            years=range(timezone.localdate().year, timezone.localdate().year - 6, -1),
            trail=self._trail(unit),
            overview=overview,
            kinds=[
                (value, label, overview["communities"]["by_kind"][value])
                for value, label in Community.Kind.choices
            ],
            statuses=[
                (value, label, overview["self_checks"]["by_status"][value])
                for value, label in SelfCheck.Status.choices
            ],
            titles=[
                (value, label, overview["designations"]["by_title"][value])
                for value, label in Designation.Title.choices
            ],
            chart_labels={"kinds": KINDS, "statuses": STATUSES, "titles": TITLES},
            by_district=[
                (name, [(TITLES[title], n) for title, n in counts.items()])
                for name, counts in overview["designations"]["by_district"].items()
            ],
            score_bands=overview["score_distribution"]["bands"],
            score_rows=_score_rows(overview["score_distribution"]),
            units=figures.get("units", {}).get("rows"),
            communities=_labelled(figures["communities"]["rows"]) if "communities" in figures else None,
            trend=trend,
            previous=trend[-2] if len(trend) > 1 else None,
            current=trend[-1] if trend else None,
            unit_query=f"year={year}" + (f"&unit={unit.pk}" if unit else ""),
        )
        return context

    def _trail(self, unit):
        """The breadcrumb from the caller's own unit down to the one shown."""
        if unit is None:
            return []
        own = self.request.user.unit
        ids = [*unit.ancestor_ids, unit.pk]
        if own is not None and own.pk in ids:
            ids = ids[ids.index(own.pk) :]
        found = {u.pk: u for u in Unit.objects.within_scope(self.request.user).filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]


class StatsExportView(StatsQueryMixin, generic.View):
    """The dashboard's numbers as an Excel workbook: one sheet per table of the page."""

    def get(self, request):
        form, year, unit = self.query()
        if year is None:
            raise Http404("年度无效。")
        figures = stats.dashboard(request.user, year, unit)
        book = Workbook()
        book.remove(book.active)
        written = 0
        for title, header, rows in workbook_sheets(figures):
            sheet = book.create_sheet(title)
            rows = [list(row) for row in rows]  # a dashboard's table is a few hundred rows at most
            exports.lay_out(sheet, [header, *rows])
            exports.append(sheet, header)
            for row in rows:
                exports.append(sheet, row)
                written += 1
        buffer = BytesIO()
        book.save(buffer)
        query = {"year": year, "unit": unit.pk if unit else None}
        ExportLog.record_direct(request.user, EXPORT_NAME, EXPORT_TITLE, query, rows=written)
        name = exports.download_name(unit or request.user.unit, f"{EXPORT_TITLE}{year}年")
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = attachment_header(name, fallback="stats")
        return response


def workbook_sheets(figures: dict):
    """(sheet title, header, rows) for each table of the dashboard, in the page's order."""
    overview = figures["overview"]
    yield (
        "目标与实际",
        ["代码", "指标", "实际(%)", "基数", "目标(%)", "是否达到", "达到目标的乡镇", "参与计算的乡镇"],
        (
            (
                t["code"],
                t["label"],
                t["percent"],
                t["of"],
                t["target"],
                {True: "是", False: "否"}.get(t["met"], ""),
                t.get("towns_meeting", ""),
                t.get("towns", ""),
            )
            for t in overview["targets"]
        ),
    )
    yield (
        "社区类别",
        ["类别", "社区数"],
        ((KINDS[k], n) for k, n in overview["communities"]["by_kind"].items()),
    )
    yield (
        "自查状态",
        ["状态", "自查数"],
        ((STATUSES[k], n) for k, n in overview["self_checks"]["by_status"].items()),
    )
    yield "称号", ["称号", "个数"], ((TITLES[k], n) for k, n in overview["designations"]["by_title"].items())
    yield (
        "各区县称号",
        ["区县", *TITLES.values()],
        (
            (name, *(counts.get(k, 0) for k in TITLES))
            for name, counts in overview["designations"]["by_district"].items()
        ),
    )
    money = overview["work_funds"]
    yield (
        "工作经费",
        ["应拨(元)", "实际到位(元)", "区县承担(元)", "到位率(%)"],
        [(float(money["due"]), float(money["paid"]), float(money["district_share"]), money["paid_percent"])],
    )
    for title, key in (("未达标最多的指标", "most_failed"), ("差距清单最常见", "commonest_gaps")):
        yield (
            title,
            ["指标", "要求", "社区数", "自查数", "占比(%)"],
            ((r["indicator"], r["requirement"], r["failures"], r["of"], r["percent"]) for r in overview[key]),
        )
    yield (
        "得分分布",
        ["单位", *(f"{band}分" for band in overview["score_distribution"]["bands"])],
        ((row["name"], *row["counts"]) for row in _score_rows(overview["score_distribution"])),
    )
    yield (
        "各栏目失分",
        ["一级指标", "失分合计", "自查数", "平均失分"],
        (
            (row["section"], row["lost"], row["self_checks"], row["average"])
            for row in overview["points_lost_by_section"]
        ),
    )
    if figures.get("units"):
        yield (
            "下级单位",
            [
                "单位",
                "社区",
                *STATUSES.values(),
                "列入创建(%)",
                "直选(%)",
                "五个好(%)",
                "应拨(元)",
                "到位(元)",
            ],
            (
                (
                    row["name"],
                    row["communities"]["total"],
                    *row["self_checks"]["by_status"].values(),
                    _target(row, "ENROL"),
                    _target(row, "U-ELECT"),
                    _target(row, "V-5GOOD"),
                    float(row["work_funds"]["due"]),
                    float(row["work_funds"]["paid"]),
                )
                for row in figures["units"]["rows"]
            ),
        )
    if figures.get("communities"):
        yield (
            "社区",
            ["社区", "类别", "自查状态", "达到等级", "预计等级", "得分", "未通过指标", "列入创建", "称号"],
            (
                (
                    row["name"],
                    KINDS[row["kind"]],
                    STATUSES.get(row["status"], "未自查"),
                    LEVELS.get(row["level"], ""),
                    LEVELS.get(row["proposed_level"], ""),
                    row["score"],
                    row["failed"],
                    "是" if row["enrolled"] else "否",
                    TITLES.get(row["title"], ""),
                )
                for row in figures["communities"]["rows"]
            ),
        )
    yield (
        "历年趋势",
        ["年度", "社区", "自查", "市级已验收", "授予称号", "列入创建(%)", "直选(%)", "五个好(%)"],
        (
            (
                row["year"],
                row["communities"],
                row["self_checks"],
                row["by_status"]["accepted"],
                sum(row["titles"].values()),
                row["enrol_percent"],
                row["direct_election_percent"],
                row["five_good_percent"],
            )
            for row in figures["trend"]["rows"]
        ),
    )


def _target(row, code):
    return next((t["percent"] for t in row["targets"] if t["code"] == code), None)


class DashboardView(ScopedViewMixin, generic.TemplateView):
    """The home page (工作台): what waits for the user (`workbench`), then the community counts of their
    scope and their recent jobs."""

    template_name = "dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        communities = Community.objects.visible_to(user)
        by_kind = dict(communities.values_list("kind").annotate(n=Count("id")).order_by())
        kinds = [(label, by_kind.get(value, 0), value) for value, label in Community.Kind.choices]
        context = super().get_context_data(**kwargs)
        context.update(
            queues=workbench.for_user(user, timezone.localdate()),
            kinds=kinds,
            total=sum(by_kind.values()),
            breakdown=self._breakdown(user, communities) if user.unit_id else [],
            jobs=Job.objects.visible_to(user).filter(owner=user)[:5],
        )
        return context

    @staticmethod
    def _breakdown(user, communities):
        """Community counts per child unit of the user's unit (districts for the city, towns for a
        district), each a link to the community list of that unit: two queries whatever the size."""
        children = list(Unit.objects.within_scope(user).filter(parent_id=user.unit_id).order_by("name"))
        if not children:
            return []
        counts = {child.pk: {} for child in children}
        depth = len(user.unit.ancestor_ids) + 1
        rows = communities.values_list("unit__path", "kind").annotate(n=Count("id")).order_by()
        for path, kind, n in rows:
            parts = path.strip("/").split("/")
            child_id = int(parts[depth]) if len(parts) > depth else None
            if child_id in counts:
                counts[child_id][kind] = counts[child_id].get(kind, 0) + n
        return [
            (
                child,
                [(kind, counts[child.pk].get(kind, 0)) for kind in Community.Kind.values],
                sum(counts[child.pk].values()),
            )
            for child in children
        ]
