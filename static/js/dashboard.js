/* Dashboard charts: Apache ECharts over the JSON that each page embeds with json_script.
   No inline script: every chart is a <div data-chart="kind" data-source="json element id">, and its
   figures are also in the table beside it, so the page reads (and prints) without this file. */
(function () {
  "use strict";
  var PALETTE = ["#1e7b34", "#f0a202", "#b42318", "#0b5cad", "#6b4fa0", "#4a5d70"];
  var STATE_COLOURS = { running: "#1e7b34", unused: "#f0a202", not_taken_over: "#b42318" };
  var FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif';

  function data(el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    return source ? JSON.parse(source.textContent) : null;
  }

  function base(d) {
    return {
      color: PALETTE,
      animation: false,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      categories: d.categories
    };
  }

  var builders = {
    stacked: function (d) {
      var o = base(d);
      var horizontal = d.categories.length > 8;
      var cat = { type: "category", data: d.categories, inverse: horizontal, axisLabel: { interval: 0 } };
      var val = { type: "value", name: horizontal ? "" : "" };
      o.xAxis = horizontal ? val : cat;
      o.yAxis = horizontal ? cat : val;
      o.series = d.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "total", data: s.data, itemStyle: { color: STATE_COLOURS[s.state] },
                 barMaxWidth: 36, emphasis: { focus: "series" } };
      });
      return o;
    },
    lines: function (d) {
      var o = base(d);
      o.tooltip = { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } };
      o.xAxis = { type: "category", data: d.categories, boundaryGap: false };
      o.yAxis = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
      o.series = d.series.map(function (s) {
        return { name: s.name, type: "line", data: s.data, connectNulls: true, symbolSize: 6 };
      });
      return o;
    },
    bars: function (d) {
      var o = base(d);
      o.tooltip.valueFormatter = function (v) { return v == null ? "—" : v + "%"; };
      o.xAxis = { type: "category", data: d.categories, axisLabel: { interval: 0 } };
      o.yAxis = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
      o.series = d.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, barMaxWidth: 28,
                 label: { show: d.categories.length <= 5, position: "top", fontSize: 10 } };
      });
      return o;
    },
    hbars: function (d) {
      var o = base(d);
      o.legend = { show: false };
      o.grid.top = 8;
      o.xAxis = { type: "value", minInterval: 1 };
      o.yAxis = { type: "category", data: d.categories, inverse: true, axisLabel: { width: 150, overflow: "truncate" } };
      o.series = d.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, itemStyle: { color: "#b54708" }, barMaxWidth: 18,
                 label: { show: true, position: "right" } };
      });
      return o;
    }
  };

  function draw() {
    if (!window.echarts) { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var d = data(el);
      var build = builders[el.getAttribute("data-chart")];
      if (!d || !build || !d.categories.length) { el.hidden = true; return; }
      if (el.classList.contains("chart-tall") && d.categories.length > 8) {
        el.classList.add("chart-rows-" + Math.min(Math.ceil(d.categories.length / 8), 6));
      }
      // Shown before init: ECharts sizes itself from the element, and a hidden one measures zero wide.
      el.classList.add("drawn");
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      var option = build(d);
      delete option.categories;
      chart.setOption(option);
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("afterprint", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  function wirePrint() {
    document.querySelectorAll(".js-print").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { wirePrint(); draw(); });
})();
