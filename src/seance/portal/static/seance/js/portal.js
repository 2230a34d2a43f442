// Séance sponsor portal: draws the weekly chart from the numbers of the table beside it.
// Without JavaScript (or Chart.js), the table stays open and is the whole story.
(function () {
  "use strict";
  document.querySelectorAll("[data-sales-chart]").forEach(function (figure) {
    if (typeof window.Chart === "undefined") return;
    const source = document.getElementById(figure.getAttribute("data-sales-chart"));
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const money = new Intl.NumberFormat(data.language, { style: "currency", currency: data.currency });
    figure.hidden = false;
    new window.Chart(figure.querySelector("canvas"), {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: data.orders_label, data: data.orders, yAxisID: "orders",
            backgroundColor: "rgba(59, 79, 216, 0.35)", borderColor: "#3b4fd8", borderWidth: 1, order: 2 },
          { type: "line", label: data.revenue_label, data: data.revenue.map(Number), yAxisID: "revenue",
            borderColor: "#0b7a4b", backgroundColor: "#0b7a4b", tension: 0, pointRadius: 3, order: 1 },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          orders: { type: "linear", position: "left", beginAtZero: true, ticks: { precision: 0 },
            title: { display: true, text: data.orders_label } },
          revenue: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
            ticks: { callback: function (value) { return money.format(value); } },
            title: { display: true, text: data.revenue_label } },
        },
        plugins: {
          legend: { reverse: true },
          tooltip: { callbacks: { label: function (ctx) {
            return ctx.dataset.label + ": " + (ctx.dataset.yAxisID === "revenue" ? money.format(ctx.parsed.y) : ctx.parsed.y);
          } } },
        },
      },
    });
    // The chart is drawn: its table folds away, one click from whoever wants it.
    const table = figure.parentElement.querySelector("[data-chart-table]");
    if (table) table.open = false;
  });
})();
