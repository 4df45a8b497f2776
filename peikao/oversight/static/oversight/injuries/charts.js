// Charts of the injury analysis (ECharts, served from this site). The data is in the page's
// <script type="application/json" id="injury-chart-data"> (json_script): no inline script (CSP).
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("injury-chart-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var status = document.getElementById(data.status.id);
    if (status) {
      // Counts inside the slices and the names in a legend below: no label runs off a phone's screen; a status
      // with no case draws no empty slice (the table above the charts lists all four).
      echarts.init(status).setOption({
        title: { text: data.status.title, textStyle: { fontSize: 14 } },
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: { bottom: 0, type: "scroll" },
        series: [{
          type: "pie", radius: ["30%", "62%"], center: ["50%", "48%"],
          label: { position: "inside", formatter: "{c}", color: "#fff", fontWeight: "bold" },
          data: data.status.data.filter(function (slice) { return slice.value > 0; })
        }]
      });
    }
    data.charts.forEach(function (chart) {
      var node = document.getElementById(chart.id);
      if (!node) { return; }
      if (!chart.groups.length) { node.hidden = true; return; }
      node.style.height = Math.max(220, 90 + 34 * chart.groups.length) + "px";  // room for every ranked group
      echarts.init(node).setOption({
        title: { text: chart.title, textStyle: { fontSize: 14 } },
        tooltip: {
          trigger: "axis",
          formatter: function (items) {
            var i = items[0].dataIndex;
            return chart.groups[i] + "<br>" + data.labels.rr + " " + chart.rr[i] +
              " (" + data.labels.ci + " " + chart.low[i] + "–" + chart.high[i] + ")<br>" +
              chart.rate[i] + " " + data.labels.rate;
          }
        },
        grid: { left: 8, right: 24, bottom: 28, containLabel: true },
        xAxis: { type: "value", name: data.labels.rr, nameLocation: "middle", nameGap: 24 },
        yAxis: { type: "category", inverse: true, data: chart.groups },
        series: [
          {
            type: "bar", name: data.labels.rr, barMaxWidth: 28,
            // Red: the whole interval lies above 1 (higher than the rest beyond chance); orange: above 1; blue: not.
            data: chart.rr.map(function (value, i) {
              var colour = chart.low[i] > 1 ? "#c0392b" : (value > 1 ? "#e67e22" : "#5470c6");
              return { value: value, itemStyle: { color: colour } };
            }),
            markLine: {
              silent: true, symbol: "none", data: [{ xAxis: 1 }],
              lineStyle: { type: "dashed", color: "#555" },
              label: { formatter: data.labels.baseline, position: "start" }
            }
          },
          {
            type: "custom", name: data.labels.ci,
            renderItem: function (params, api) {
              var low = api.coord([api.value(1), api.value(0)]);
              var high = api.coord([api.value(2), api.value(0)]);
              return { type: "line", shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] },
                       style: { stroke: "#333", lineWidth: 2 } };
            },
            data: chart.groups.map(function (_g, i) { return [i, chart.low[i], chart.high[i]]; }),
            encode: { x: [1, 2], y: 0 }
          }
        ]
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
