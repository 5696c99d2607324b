// Charts of a report page (Chart.js, vendored): one canvas per spec of the json_script block
// "report-charts-data" (built by the report's charts function from the table's own rows).
(function () {
  "use strict";
  const dataEl = document.getElementById("report-charts-data");
  if (!dataEl || !window.Chart) return;
  // Drawn at once: a report is read and printed, not watched.
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  const palette = ["#1f6fd1", "#2f9e44", "#e8590c", "#7048e8", "#d9363e", "#0c8599", "#868e96", "#f08c00"];

  for (const spec of JSON.parse(dataEl.textContent)) {
    const canvas = document.getElementById("chart-" + spec.id);
    if (!canvas) continue;
    const horizontal = !!spec.horizontal;
    const datasets = spec.datasets.map((ds, i) => ({
      label: ds.label,
      data: ds.data,
      borderColor: palette[i % palette.length],
      backgroundColor: palette[i % palette.length],
      tension: 0.25,
      spanGaps: true,
      pointRadius: 3,
    }));
    const value = horizontal ? "x" : "y";
    const scales = { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked } };
    scales[value].beginAtZero = true;
    if (spec.percent) {
      scales[value].suggestedMax = 100;
      scales[value].ticks = { callback: (v) => v + "%" };
    } else {
      scales[value].ticks = { precision: 0 };
    }
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        interaction: { mode: "index", intersect: false },
        scales,
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: (c) => {
                const v = horizontal ? c.parsed.x : c.parsed.y;
                return `${c.dataset.label}: ${v === null ? "—" : v + (spec.percent ? "%" : "")}`;
              },
            },
          },
        },
      },
    });
  }
})();
