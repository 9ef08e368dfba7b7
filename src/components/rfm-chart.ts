// The RFM scatter: recency × frequency with monetary as size and segment as colour, a customer's details in the
// tooltip, and a brush to zoom: the chart's value is the brushed ranges, so `view(chart)` filters the page.
// Above `dotLimit` customers the dots become a hexbin density (100,000 SVG circles would freeze the page);
// brushing into a smaller area brings the individual customers back.
import type * as PlotModule from "@observablehq/plot";

export interface RfmPoint {
  customer: string;
  name: string;
  document: string;
  recency: number;
  frequency: number;
  monetary: number;
  r: number;
  f: number;
  m: number;
  segment: string;
  cluster: number;
  last: number;
}

export interface Ranges {
  recency: [number, number];
  frequency: [number, number];
}

interface Brush {
  extent(e: [[number, number], [number, number]]): Brush;
  on(type: string, listener: (event: {selection: [[number, number], [number, number]] | null}) => void): Brush;
}
interface Selection {
  append(name: string): Selection;
  attr(name: string, value: string): Selection;
  call(fn: (s: Selection) => void): Selection;
}
export interface D3Like {
  brush(): Brush;
  select(node: Element): Selection;
}

export const dotLimit = 10_000;

export function rfmScatter(
  Plot: typeof PlotModule,
  d3: D3Like,
  data: RfmPoint[],
  {width, segments}: {width: number; segments: string[]}
): HTMLDivElement & {value: Ranges | null} {
  const dense = data.length > dotLimit;
  const marks = dense
    ? [Plot.dot(data, Plot.hexbin({r: "count", fill: "count"}, {x: "recency", y: "frequency", tip: true}))]
    : [
        Plot.dot(data, {
          x: "recency",
          y: "frequency",
          r: "monetary",
          fill: "segment",
          fillOpacity: 0.7,
          stroke: "white",
          strokeWidth: 0.5,
          tip: true,
          channels: {
            Name: "name",
            Document: "document",
            Monetary: "monetary",
            Scores: (d: RfmPoint) => `R${d.r} F${d.f} M${d.m}`,
            Segment: "segment",
            Cluster: "cluster",
            "Last event": (d: RfmPoint) => new Date(d.last).toISOString().slice(0, 10)
          },
          title: undefined
        })
      ];
  const height = Math.round(Math.max(320, Math.min(520, width * 0.55)));
  const margin = {top: 20, right: 20, bottom: 40, left: 50};
  const plot = Plot.plot({
    width,
    height,
    marginLeft: margin.left,
    marginTop: margin.top,
    marginRight: margin.right,
    marginBottom: margin.bottom,
    x: {label: "Recency (days since last registration) →", grid: true, nice: true},
    y: {type: "log", label: "↑ Frequency (registrations)", grid: true, nice: true},
    r: {range: [1.5, 14]},
    color: dense ? {scheme: "blues", legend: true, label: "Customers"} : {domain: segments, legend: true},
    marks
  }) as unknown as (SVGSVGElement | HTMLElement) & {
    scale(name: string): {apply(v: number): number; invert(v: number): number};
  };
  // Plot's tooltip announces the hovered mark as the plot's value, with an input event: the chart's value is the
  // brushed ranges alone, so the chart is a wrapper of its own and Plot's events stop at the plot. (Otherwise a
  // hover would filter the page by one customer's fields, and re-run every cell below on each pointer move.)
  const root = Object.assign(document.createElement("div"), {className: "rfm-scatter", value: null as Ranges | null});
  plot.addEventListener("input", (event) => event.stopPropagation());
  root.append(plot);
  // With a legend, Plot returns a <figure> (legends first, then the chart's <svg>): the brush belongs in the svg.
  const svg =
    plot instanceof SVGSVGElement ? plot : [...plot.children].filter((c) => c instanceof SVGSVGElement).at(-1)!;
  const x = plot.scale("x");
  const y = plot.scale("y");
  const brush = d3
    .brush()
    .extent([
      [margin.left, margin.top],
      [width - margin.right, height - margin.bottom]
    ])
    .on("end", ({selection}) => {
      root.value = selection
        ? {
            recency: [x.invert(selection[0][0]), x.invert(selection[1][0])],
            frequency: [y.invert(selection[1][1]), y.invert(selection[0][1])]
          }
        : null;
      root.dispatchEvent(new Event("input", {bubbles: true}));
    });
  d3.select(svg)
    .append("g")
    .attr("class", "rfm-brush")
    .call(brush as unknown as (s: Selection) => void);
  return root;
}

/** M against R and against F, small multiples, for the same customers. */
export function monetaryViews(Plot: typeof PlotModule, data: RfmPoint[], {width}: {width: number}): HTMLElement {
  const half = Math.max(260, Math.floor(width / 2) - 10);
  const dense = data.length > dotLimit;
  const panel = (x: "recency" | "frequency", label: string) =>
    Plot.plot({
      width: half,
      height: 240,
      marginLeft: 60,
      x: {type: x === "frequency" ? "log" : "linear", label, grid: true},
      y: {type: "log", label: "↑ Monetary (R$)", grid: true},
      marks: [
        dense
          ? Plot.dot(data, Plot.hexbin({fill: "count"}, {x, y: "monetary"}))
          : Plot.dot(data, {
              x,
              y: "monetary",
              fill: "segment",
              r: 2,
              fillOpacity: 0.6,
              tip: true,
              channels: {Name: "name"}
            })
      ]
    });
  const root = document.createElement("div");
  root.className = "grid grid-cols-2";
  root.append(panel("recency", "Recency (days) →"), panel("frequency", "Frequency →"));
  return root;
}
