// 我的满意度: the person's twelve-month trend against their store's (Chart.js, vendored).
(function () {
  "use strict";
  const dataEl = document.getElementById("my-trend-chart");
  const textEl = document.getElementById("my-trend-text");
  if (!dataEl || !textEl || !window.Chart) return;
  const d = JSON.parse(dataEl.textContent);
  const t = JSON.parse(textEl.textContent);
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;

  function line(label, values, colour, dashed) {
    return { label, data: values, borderColor: colour, backgroundColor: colour, tension: 0.25, spanGaps: true, pointRadius: 3, borderDash: dashed ? [6, 4] : [] };
  }

  new Chart(document.getElementById("chart-my-trend"), {
    type: "line",
    data: {
      labels: d.labels,
      datasets: [
        line(t.mine, d.full_rate, "#2f9e44", false),
        line(t.store, d.store_full_rate, "#2f9e44", true),
        line(t.mine_dissatisfied, d.dissatisfied_rate, "#d9363e", false),
        line(t.store_dissatisfied, d.store_dissatisfied_rate, "#d9363e", true),
      ],
    },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: { y: { suggestedMin: 0, suggestedMax: 100, ticks: { callback: (v) => v + "%" } } },
      plugins: {
        legend: { position: "bottom" },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y === null ? "—" : c.parsed.y + "%"}` } },
      },
    },
  });
  document.body.dataset.chartsReady = "1";
})();
