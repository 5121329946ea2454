// Draws the reports page's charts with the vendored Chart.js (static/vendor/chartjs, loaded before this module as
// window.Chart) from the data the page passes in json_script; the tables are the server's HTML.
import { CHARTS } from "./chart_config.js";

const data = JSON.parse(document.getElementById("report-charts").textContent);
for (const [id, build] of Object.entries(CHARTS)) {
  const canvas = document.getElementById(id);
  if (canvas) {
    const chart = new window.Chart(canvas, build(data));
    canvas.dataset.rendered = String(chart.data.datasets.length);
  }
}
