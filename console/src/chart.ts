import { h, svg } from "./dom.js";

/**
 * Live progress as a hand-drawn SVG line chart: one line per series, counts over time since the console started
 * watching. Points arrive at most 4 times a second (campaignProgress coalesces), so redrawing every time is cheap.
 */

export type ProgressPoint = { at: number; total: number; completed: number; inProgress: number; leads: number };

const SERIES = [
  { key: "completed", label: "Completed", colour: "#2f9e44" },
  { key: "inProgress", label: "On the line", colour: "#1c7ed6" },
  { key: "leads", label: "Leads", colour: "#f08c00" },
] as const;

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 12, bottom: 24, left: 36 };
/** Older points are thinned out beyond this, keeping the shape of a long campaign. */
const MAX_POINTS = 600;

export class ProgressChart {
  readonly element: HTMLElement;
  private readonly plot: SVGGElement;
  private readonly legend: HTMLElement;
  private points: ProgressPoint[] = [];

  constructor() {
    const root = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": "Campaign progress" });
    this.plot = svg("g");
    root.append(this.plot);
    this.legend = h("div", { class: "legend" });
    this.element = h("figure", { class: "chart", "data-testid": "progress-chart" }, root, this.legend);
    this.draw();
  }

  reset(): void {
    this.points = [];
    this.draw();
  }

  add(point: ProgressPoint): void {
    this.points.push(point);
    if (this.points.length > MAX_POINTS) this.points = this.points.filter((_, index) => index % 2 === 0);
    this.draw();
  }

  private draw(): void {
    const last = this.points.at(-1);
    this.plot.replaceChildren(...this.axes(last), ...this.lines());
    this.legend.replaceChildren(
      ...SERIES.map((series) =>
        h(
          "span",
          { class: "legend-item" },
          h("i", { style: `background:${series.colour}` }),
          `${series.label} `,
          h("b", { "data-series": series.key }, last ? last[series.key] : "–"),
        ),
      ),
    );
  }

  private scale(): { x: (at: number) => number; y: (count: number) => number } {
    const first = this.points[0]?.at ?? 0;
    const span = Math.max((this.points.at(-1)?.at ?? 0) - first, 10_000);
    const top = Math.max(1, ...this.points.map((point) => point.total));
    const innerWidth = WIDTH - PAD.left - PAD.right;
    const innerHeight = HEIGHT - PAD.top - PAD.bottom;
    return {
      x: (at) => PAD.left + ((at - first) / span) * innerWidth,
      y: (count) => PAD.top + innerHeight - (count / top) * innerHeight,
    };
  }

  private axes(last: ProgressPoint | undefined): SVGElement[] {
    const { y } = this.scale();
    const top = Math.max(1, ...this.points.map((point) => point.total));
    const ticks = [0, Math.round(top / 2), top].filter((tick, index, all) => all.indexOf(tick) === index);
    const elapsed = this.points.length > 1 && last ? Math.round((last.at - (this.points[0]?.at ?? last.at)) / 1000) : 0;
    return [
      ...ticks.flatMap((tick) => [
        svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(tick), y2: y(tick), class: "gridline" }),
        label(String(tick), PAD.left - 6, y(tick) + 4, "end"),
      ]),
      label(`${elapsed}s watched`, WIDTH - PAD.right, HEIGHT - 6, "end"),
      ...(this.points.length === 0 ? [label("waiting for figures…", WIDTH / 2, HEIGHT / 2, "middle")] : []),
    ];
  }

  private lines(): SVGElement[] {
    if (this.points.length === 0) return [];
    const { x, y } = this.scale();
    return SERIES.map((series) => {
      // Steps, not slopes: a count changes at an instant.
      let path = "";
      this.points.forEach((point, index) => {
        const px = x(point.at).toFixed(1);
        const py = y(point[series.key]).toFixed(1);
        path += index === 0 ? `M${px},${py}` : `H${px}V${py}`;
      });
      path += `H${(WIDTH - PAD.right).toFixed(1)}`;
      return svg("path", { d: path, stroke: series.colour, class: "series", "data-series": series.key });
    });
  }
}

function label(text: string, x: number, y: number, anchor: "start" | "middle" | "end"): SVGTextElement {
  const element = svg("text", { x, y, "text-anchor": anchor, class: "axis" });
  element.textContent = text;
  return element;
}
