// Dashboard charts (统计看板): each <div data-chart="kind" data-src="/api/v1/stats/..."> is drawn by
// ECharts from the JSON the API answers; the table beside it holds the same numbers, so the page
// reads without script too. Labels come from the page (json_script), not from this file.
(function () {
  const labels = JSON.parse(document.getElementById("stats-labels").textContent);
  const pending = {};
  const load = (url) => {
    pending[url] = pending[url] || fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.json();
      });
    return pending[url];
  };
  const palette = ["#a4161a", "#1d4e89", "#e09f3e", "#2a9d8f", "#6c757d", "#8338ec"];
  // Category labels are never cut: the grid makes room for them (containLabel), a horizontal chart's
  // names wrap onto further lines, and many names under a vertical chart are slanted.
  const categoryLabel = (names, horizontal) => horizontal
    ? { interval: 0, width: 112, overflow: "break", lineHeight: 14 }
    : { interval: 0, hideOverlap: true, rotate: names.length > 6 ? 35 : 0 };
  const bars = (names, series, horizontal) => ({
    color: palette,
    tooltip: { trigger: "axis" },
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: { left: 10, right: 20, top: series.length > 1 ? 30 : 10, bottom: 10, containLabel: true },
    [horizontal ? "yAxis" : "xAxis"]: { type: "category", data: names, inverse: horizontal, axisLabel: categoryLabel(names, horizontal) },
    [horizontal ? "xAxis" : "yAxis"]: { type: "value", minInterval: 1 },
    series: series.map((s) => ({ type: "bar", barMaxWidth: 28, ...s })),
  });
  const entries = (counts, names) => Object.keys(counts).map((key) => [names[key] || key, counts[key]]);

  const builders = {
    targets(data) {
      const rows = data.targets.filter((t) => t.percent !== null || t.target !== null);
      return bars(rows.map((t) => t.short), [
        { name: "实际(%)", data: rows.map((t) => t.percent) },
        { name: "目标(%)", data: rows.map((t) => t.target) },
      ], true);
    },
    kinds(data) {
      return {
        color: palette,
        tooltip: { trigger: "item", formatter: "{b}:{c}({d}%)" },
        legend: { bottom: 0 },
        series: [{
          type: "pie",
          radius: ["45%", "70%"],
          label: { formatter: "{b}\n{c}" },
          data: entries(data.communities.by_kind, labels.kinds).map(([name, value]) => ({ name, value })),
        }],
      };
    },
    status(data) {
      const rows = entries(data.self_checks.by_status, labels.statuses);
      return bars(rows.map((r) => r[0]), [{ name: "自查", data: rows.map((r) => r[1]) }]);
    },
    titles(data) {
      const districts = Object.keys(data.designations.by_district);
      if (!districts.length) {
        const rows = entries(data.designations.by_title, labels.titles);
        return bars(rows.map((r) => r[0]), [{ name: "称号", data: rows.map((r) => r[1]) }]);
      }
      return bars(districts, Object.keys(labels.titles).map((title) => ({
        name: labels.titles[title],
        stack: "titles",
        data: districts.map((d) => data.designations.by_district[d][title] || 0),
      })));
    },
    trend(data) {
      const years = data.rows.map((r) => String(r.year));
      return {
        color: palette,
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 40, right: 40, top: 30, bottom: 30 },
        xAxis: { type: "category", data: years },
        yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
        series: [
          { type: "line", name: "自查", data: data.rows.map((r) => r.self_checks) },
          { type: "line", name: "市级验收", data: data.rows.map((r) => r.by_status.accepted) },
          { type: "line", name: "称号", data: data.rows.map((r) => Object.values(r.titles).reduce((a, b) => a + b, 0)) },
          { type: "line", name: "直选(%)", yAxisIndex: 1, data: data.rows.map((r) => r.direct_election_percent) },
        ],
      };
    },
    failed(data) {
      const rows = data.most_failed;
      return bars(rows.map((r) => r.title), [{ name: "未达标社区", data: rows.map((r) => r.failures) }], true);
    },
    gaps(data) {
      const rows = data.commonest_gaps;
      return bars(rows.map((r) => r.title), [{ name: "差距清单中出现", data: rows.map((r) => r.failures) }], true);
    },
    "score-bands"(data) {
      const dist = data.score_distribution;
      const rows = dist.rows.length ? dist.rows : [{ name: "合计", counts: dist.total }];
      return bars(rows.map((r) => r.name), dist.bands.map((band) => ({
        name: `${band}分`,
        stack: "bands",
        data: rows.map((r) => r.counts[band]),
      })));
    },
    "points-lost"(data) {
      const rows = data.points_lost_by_section;
      return bars(rows.map((r) => r.section), [
        { name: "失分合计", data: rows.map((r) => r.lost) },
        { name: "平均每份自查", data: rows.map((r) => r.average) },
      ], true);
    },
    funds(data) {
      const rows = data.rows;
      return bars(rows.map((r) => r.name), [
        { name: "应拨(元)", data: rows.map((r) => Number(r.work_funds.due)) },
        { name: "到位(元)", data: rows.map((r) => Number(r.work_funds.paid)) },
      ]);
    },
    "community-scores"(data) {
      const rows = data.rows.filter((r) => r.score !== null);
      return bars(rows.map((r) => r.name), [{ name: "得分", data: rows.map((r) => r.score) }]);
    },
  };

  const charts = [];
  document.querySelectorAll("[data-chart]").forEach((box) => {
    const build = builders[box.dataset.chart];
    load(box.dataset.src)
      .then((data) => {
        const chart = echarts.init(box);
        chart.setOption(build(data));
        charts.push(chart);
        box.dataset.drawn = "true";
      })
      .catch(() => {
        box.textContent = "图表数据暂时无法加载,请参看右侧表格。";
        box.classList.add("text-muted", "small");
      });
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
})();
