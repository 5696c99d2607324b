// The GM dashboard's trend charts (Chart.js, vendored). Data comes from json_script blocks.
(function () {
  "use strict";
  const dataEl = document.getElementById("dashboard-charts");
  const textEl = document.getElementById("dashboard-chart-text");
  if (!dataEl || !textEl || !window.Chart) return;
  const d = JSON.parse(dataEl.textContent);
  const t = JSON.parse(textEl.textContent);

  // Drawn at once: the page is read, not watched, and a screenshot must show the finished chart.
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;

  const palette = { blue: "#1f6fd1", green: "#2f9e44", orange: "#e8590c", purple: "#7048e8", grey: "#868e96", red: "#d9363e" };

  function line(label, values, colour) {
    // A series with no value at all (e.g. satisfaction before any scored survey) is left out of
    // the legend and the plot rather than shown as an empty promise.
    const empty = values.every((v) => v === null);
    return { label, data: values, borderColor: colour, backgroundColor: colour, tension: 0.25, spanGaps: true, pointRadius: 3, hidden: empty, empty };
  }

  // Line charts of percentages (the rates and the retention rates): 0–100 %, a series without any value
  // left out of the legend, "—" for a month without one.
  const percentOptions = () => ({
    interaction: { mode: "index", intersect: false },
    scales: { y: { suggestedMin: 0, suggestedMax: 100, ticks: { callback: (v) => v + "%" } } },
    plugins: {
      legend: { position: "bottom", labels: { filter: (item, data) => !data.datasets[item.datasetIndex].empty } },
      tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.parsed.y === null ? "—" : c.parsed.y + "%"}` } },
    },
  });

  new Chart(document.getElementById("chart-rates"), {
    type: "line",
    data: {
      labels: d.labels,
      datasets: [
        line(t.success_rate, d.success_rate, palette.blue),
        line(t.sales_full_rate, d.sales_full_rate, palette.green),
        line(t.service_full_rate, d.service_full_rate, palette.orange),
        line(t.sla_rate, d.sla_rate, palette.purple),
      ],
    },
    options: percentOptions(),
  });

  new Chart(document.getElementById("chart-complaints"), {
    type: "bar",
    data: {
      labels: d.labels,
      datasets: [
        { label: t.complaints_received, data: d.complaints_received, backgroundColor: palette.blue },
        { label: t.complaints_closed, data: d.complaints_closed, backgroundColor: palette.grey },
        { label: t.complaints_red, data: d.complaints_red, backgroundColor: palette.red },
      ],
    },
    options: {
      interaction: { mode: "index", intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom" } },
    },
  });

  // 客户维系: return rates per service kind and the win-back rate; reminders made and lost customers.
  const retEl = document.getElementById("dashboard-retention-charts");
  if (retEl && document.getElementById("chart-retention-rates")) {
    const r = JSON.parse(retEl.textContent);
    new Chart(document.getElementById("chart-retention-rates"), {
      type: "line",
      data: {
        labels: r.labels,
        datasets: [
          line(t.return_first_service, r.return_first_service, palette.blue),
          line(t.return_periodic_service, r.return_periodic_service, palette.green),
          line(t.return_warranty_end, r.return_warranty_end, palette.orange),
          line(t.winback_rate, r.winback_rate, palette.purple),
        ],
      },
      options: percentOptions(),
    });
    new Chart(document.getElementById("chart-retention-counts"), {
      type: "bar",
      data: {
        labels: r.labels,
        datasets: [
          { label: t.reminders_made, data: r.made, backgroundColor: palette.blue, yAxisID: "y" },
          { label: t.lost_added, data: r.lost_added, backgroundColor: palette.red, yAxisID: "y1" },
          { label: t.recovered, data: r.recovered, backgroundColor: palette.green, yAxisID: "y1" },
        ],
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t.reminders_made } },
          y1: { beginAtZero: true, position: "right", ticks: { precision: 0 }, grid: { drawOnChartArea: false } },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }
  document.body.dataset.chartsReady = "1";
})();
