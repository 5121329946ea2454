// The reports page's charts as Chart.js configurations, from the data the page passes (json_script "report-charts").
// Pure functions, so node --test checks them without a browser.

const STATE_COLOURS = {
  new: "#1d4ed8",
  work_in_progress: "#6d28d9",
  on_hold: "#b45309",
  closed_complete: "#047857",
  closed_abandoned: "#dc2626",
};

const common = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
  plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
};

export function conversationsChart(data) {
  return {
    type: "bar",
    data: {
      labels: data.days,
      datasets: data.states.map((state) => ({
        label: state.label,
        data: data.conversations_by_day[state.key],
        backgroundColor: STATE_COLOURS[state.key] ?? "#64748b",
        stack: "conversations",
      })),
    },
    options: { ...common, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  };
}

export function queuesChart(data) {
  return {
    type: "bar",
    data: {
      labels: data.queues,
      datasets: [
        { label: "First reply (min)", data: data.first_reply_minutes, backgroundColor: "#0f766e" },
        { label: "Time in queue (min)", data: data.time_in_queue_minutes, backgroundColor: "#b45309" },
        { label: "Handle time (min)", data: data.handle_minutes, backgroundColor: "#6d28d9" },
      ],
    },
    options: { ...common, scales: { y: { beginAtZero: true } } },
  };
}

export function consentChart(data) {
  return {
    type: "bar",
    data: {
      labels: data.days,
      datasets: [
        { label: "Opt-ins", data: data.opt_ins_by_day, backgroundColor: "#047857" },
        { label: "Opt-outs", data: data.opt_outs_by_day, backgroundColor: "#dc2626" },
      ],
    },
    options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  };
}

export function failuresChart(data) {
  return {
    type: "bar",
    data: {
      labels: data.failure_codes,
      datasets: [{ label: "Failed messages", data: data.failures, backgroundColor: "#dc2626" }],
    },
    options: { ...common, indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  };
}

export const CHARTS = {
  "chart-conversations": conversationsChart,
  "chart-queues": queuesChart,
  "chart-consent": consentChart,
  "chart-failures": failuresChart,
};
