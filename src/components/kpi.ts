// A KPI card: the figure for the period and its change against the previous period of the same length.
export interface KpiOptions {
  id: string;
  label: string;
  value: number | null;
  previous: number | null;
  format: (v: number) => string;
  /** For rates, the change is shown in percentage points. */
  points?: boolean;
  /** Whether a rise is good news (late rate: no). */
  higherIsBetter?: boolean;
}

export function kpiCard({
  id,
  label,
  value,
  previous,
  format,
  points = false,
  higherIsBetter = true
}: KpiOptions): HTMLElement {
  const card = document.createElement("div");
  card.className = "card kpi";
  card.id = id;
  const title = document.createElement("h2");
  title.textContent = label;
  const figure = document.createElement("span");
  figure.className = "kpi-value";
  figure.textContent = value === null ? "—" : format(value);
  const change = document.createElement("span");
  change.className = "kpi-change";
  if (value !== null && previous !== null && previous !== 0) {
    const delta = points ? (value - previous) * 100 : ((value - previous) / Math.abs(previous)) * 100;
    const good = delta === 0 ? null : delta > 0 === higherIsBetter;
    change.textContent = `${delta > 0 ? "▲" : delta < 0 ? "▼" : "="} ${Math.abs(delta).toFixed(1)}${points ? " pp" : "%"} vs previous period`;
    if (good !== null) change.classList.add(good ? "good" : "bad");
  } else {
    change.textContent = "no previous period to compare";
  }
  card.append(title, figure, document.createElement("br"), change);
  return card;
}
