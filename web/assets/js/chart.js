// A horizontal bar chart in inline SVG: each bar its value against its own maximum, with a title and a text
// description for screen readers (the page puts the same figures in a table next to it).
import { h } from "./ui.js";
import { t, fmtNumber } from "./i18n.js";

const WIDTH = 400;
const ROW = 58;

function num(x) {
  return x == null ? "—" : fmtNumber(x, x === Math.round(x) ? 0 : 1);
}

// rows: [{name, value, max}]; value null means no data (drawn as an empty track, said in words).
export function barChart(rows, { title, desc }) {
  const scale = Math.max(1, ...rows.map((r) => r.max || 0));
  const uid = `chart-${Math.random().toString(36).slice(2, 8)}`;
  const summary = rows.map((r) => `${r.name}: ${r.value == null ? t("scorecard.no_data") : num(r.value)} / ${num(r.max)}`).join("; ");
  return h(
    "svg",
    {
      class: "app-chart",
      viewBox: `0 0 ${WIDTH} ${rows.length * ROW + 4}`,
      role: "img",
      "aria-labelledby": `${uid}-t ${uid}-d`,
      focusable: "false",
    },
    h("title", { id: `${uid}-t` }, title),
    h("desc", { id: `${uid}-d` }, `${desc} ${summary}`),
    rows.map((r, i) => {
      const y = i * ROW;
      const track = ((r.max || 0) / scale) * WIDTH;
      const bar = r.value == null ? 0 : (Math.max(0, r.value) / scale) * WIDTH;
      const label = `${r.name} — ${r.value == null ? t("scorecard.no_data") : num(r.value)} / ${num(r.max)}`;
      return h(
        "g",
        { "aria-hidden": "true" },
        h("text", { class: "app-chart__label", x: 0, y: y + 18 }, label),
        h("rect", { class: "app-chart__max", x: 0.5, y: y + 26.5, width: Math.max(0, track - 1), height: 20 }),
        h("rect", { class: "app-chart__bar", x: 0, y: y + 26, width: bar, height: 21 }),
      );
    }),
  );
}
