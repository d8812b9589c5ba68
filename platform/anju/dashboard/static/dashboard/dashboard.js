/* Draws the dashboard's two charts from the figures the page carries
   (#anju-dashboard-data): trends by month, and each tile's headline figure per grid,
   side by side. Chart.js is vendored (static/dashboard/vendor/chartjs/): no CDN. */
(function () {
    "use strict";
    function draw() {
        var source = document.getElementById("anju-dashboard-data");
        if (!source || typeof window.Chart === "undefined") { return; }
        var data = JSON.parse(source.textContent);
        var colours = ["#2e6db4", "#e07b00", "#2b8a3e", "#b02a37", "#6f42c1", "#0d7a8a", "#8a6d0d", "#555"];
        var trend = document.getElementById("anju-trend-chart");
        if (trend && data.months.length) {
            new window.Chart(trend, {
                type: "line",
                data: {
                    labels: data.months,
                    datasets: data.trend.map(function (series, i) {
                        return { label: series.label, data: series.values, borderColor: colours[i % colours.length], backgroundColor: colours[i % colours.length], tension: 0.2 };
                    })
                },
                options: { responsive: true, animation: false, scales: { y: { beginAtZero: true } } }
            });
        }
        var grids = document.getElementById("anju-grids-chart");
        if (grids && data.grid_names.length) {
            var percents = data.grids.filter(function (series) { return series.percent; });
            new window.Chart(grids, {
                type: "bar",
                data: {
                    labels: data.grid_names,
                    datasets: percents.map(function (series, i) {
                        return { label: series.label, data: series.values, backgroundColor: colours[i % colours.length] };
                    })
                },
                options: { responsive: true, animation: false, scales: { y: { beginAtZero: true, max: 100, ticks: { callback: function (v) { return v + "%"; } } } } }
            });
        }
        document.documentElement.setAttribute("data-dashboard-charts", "drawn");
    }
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", draw);
    } else {
        draw();
    }
})();
