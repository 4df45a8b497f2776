// Charts of the region's dashboard (ECharts, served from this site). The data is in the page's
// <script type="application/json" id="dashboard-data"> (json_script): no inline script (CSP).
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var trend = document.getElementById(data.trend.id);
    if (trend) {
      echarts.init(trend).setOption({
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
        xAxis: { type: "category", data: data.trend.months },
        yAxis: { type: "value", minInterval: 1 },
        series: data.trend.series.map(function (s) { return { type: "line", name: s.name, data: s.data }; })
      });
    }
    var ranking = document.getElementById(data.ranking.id);
    if (ranking) {
      if (!data.ranking.names.length) { ranking.hidden = true; return; }
      echarts.init(ranking).setOption({
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: data.ranking.names },
        series: data.ranking.series.map(function (s) { return { type: "bar", name: s.name, data: s.data }; })
      });
    }
    window.addEventListener("resize", function () {
      document.querySelectorAll(".dashboard-chart").forEach(function (node) {
        var chart = echarts.getInstanceByDom(node);
        if (chart) { chart.resize(); }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
