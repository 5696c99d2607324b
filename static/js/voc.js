// 客户之声: the twelve-month trend of verbatims per topic (Chart.js, vendored).
(function () {
  "use strict";
  const dataEl = document.getElementById("voc-trend-chart");
  const canvas = document.getElementById("chart-voc-trend");
  if (!dataEl || !canvas || !window.Chart) return;
  const d = JSON.parse(dataEl.textContent);
  const colours = ["#d9363e", "#f08c00", "#1c7ed6", "#2f9e44", "#7048e8", "#0c8599", "#e64980", "#868e96", "#5c940d", "#862e9c"];
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  new Chart(canvas, {
    type: "line",
    data: {
      labels: d.labels,
      datasets: d.series.map((s, i) => ({
        label: s.label,
        data: s.data,
        borderColor: colours[i % colours.length],
        backgroundColor: colours[i % colours.length],
        tension: 0, // counts: a curve would dip below zero between months
        pointRadius: 2,
      })),
    },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    },
  });
  document.body.dataset.chartsReady = "1";
})();
