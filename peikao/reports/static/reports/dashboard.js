// Charts of the region's dashboard and of a regulator's landing page (ECharts, served from this site). The
// chart specs are in the page's <script type="application/json" id="dashboard-data"> (json_script, built by
// peikao/reports/dashboards/charts.py): no inline script (CSP). Each spec: {id, kind, categories, series};
// kind line | bar | hbar (horizontal bars) | hstack (stacked horizontal bars); a series with axis "percent"
// is a line against a 0–100 % axis on the right, a series with unit "%" is a percentage.
(function () {
  "use strict";

  var GRID = { left: 8, right: 16, bottom: 8, top: 40, containLabel: true };

  function label(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function option(spec, narrow) {
    var percent = spec.series.some(function (s) { return s.axis === "percent"; });
    var unit = spec.series.length && spec.series.every(function (s) { return s.unit === "%"; });
    var valueAxis = { type: "value", minInterval: 1 };
    if (unit) { valueAxis = { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }; }
    var common = {
      tooltip: { trigger: "axis", confine: true },
      legend: { top: 0, type: "scroll" },
      grid: GRID,
      animation: false
    };
    if (spec.kind === "hbar" || spec.kind === "hstack") {
      return Object.assign(common, {
        xAxis: valueAxis,
        yAxis: {
          type: "category", inverse: true, data: spec.categories,
          axisLabel: { formatter: function (v) { return label(v, narrow ? 8 : 16); } }
        },
        series: spec.series.map(function (s) {
          return {
            type: "bar", name: s.name, data: s.data,
            stack: spec.kind === "hstack" ? "all" : undefined
          };
        })
      });
    }
    var yAxis = [valueAxis];
    if (percent) {
      yAxis.push({ type: "value", max: 100, position: "right", axisLabel: { formatter: "{value}%" }, splitLine: { show: false } });
    }
    return Object.assign(common, {
      xAxis: { type: "category", data: spec.categories },
      yAxis: yAxis,
      series: spec.series.map(function (s) {
        var type = s.axis === "percent" ? "line" : spec.kind === "bar" ? "bar" : "line";
        return { type: type, name: s.name, data: s.data, yAxisIndex: s.axis === "percent" ? 1 : 0, connectNulls: false };
      })
    });
  }

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof echarts === "undefined") { return; }
    var specs = JSON.parse(source.textContent);
    var narrow = window.matchMedia("(max-width: 600px)").matches;
    specs.forEach(function (spec) {
      var node = document.getElementById(spec.id);
      if (!node) { return; }
      if (!spec.categories.length) { node.hidden = true; return; }
      if (spec.kind === "hbar" || spec.kind === "hstack") {
        // room for every bar: 28 px a category (and the legend), at least the height the page gives
        var needed = 60 + spec.categories.length * (spec.series.length > 2 ? 40 : 28);
        if (needed > node.clientHeight) { node.style.height = needed + "px"; }
      }
      echarts.init(node).setOption(option(spec, narrow));
    });
    window.addEventListener("resize", function () {
      document.querySelectorAll(".dashboard-chart").forEach(function (node) {
        var chart = echarts.getInstanceByDom(node);
        if (chart) { chart.resize(); }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
