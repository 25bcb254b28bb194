/**
 * Self-contained SVG line charts (no scripts, no external CSS) so that committed notebooks render
 * the same on GitHub, in JupyterLab and in nbconvert's HTML. Pure string builders: testable.
 * @module
 */
import { escapeHtml } from "./html.ts";

/** One line of a chart. */
export interface Series {
  /** Legend label. */
  name: string;
  /** `[x, y]` points; non-finite y values break the line. */
  points: [number, number][];
}

/** Options for {@linkcode svgLineChart}. */
export interface LineChartOptions {
  /** Title above the plot. @default "" */
  title?: string;
  /** x-axis label. @default "" */
  xLabel?: string;
  /** y-axis label. @default "" */
  yLabel?: string;
  /** Width in px. @default 560 */
  width?: number;
  /** Height in px. @default 300 */
  height?: number;
  /** Fixed y range; unset = fitted to the data. @default undefined */
  yRange?: [number, number];
  /** Draw a dot on each point. @default true */
  markers?: boolean;
}

const PALETTE = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
];

/**
 * About `count` round tick values covering [lo, hi].
 *
 * @param lo Lower end.
 * @param hi Upper end.
 * @param count Rough number of ticks. @default 5
 * @returns The ticks, ascending.
 * @example
 * ```ts
 * niceTicks(0, 1); // [0, 0.2, 0.4, 0.6, 0.8, 1]
 * ```
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0)
    ? v.toExponential(1)
    : String(Number(v.toPrecision(3)));
}

/**
 * An SVG line chart of one or more series, with axes, ticks and a legend.
 *
 * @param series The lines.
 * @param options See {@linkcode LineChartOptions}.
 * @returns SVG markup (a complete `<svg>` element).
 * @example
 * ```ts
 * const svg = svgLineChart([{ name: "capo", points: [[0, 0.2], [1, 0.5]] }], { title: "accuracy" });
 * ```
 */
export function svgLineChart(series: Series[], options: LineChartOptions = {}): string {
  const {
    title = "",
    xLabel = "",
    yLabel = "",
    width = 560,
    height = 300,
    yRange,
    markers = true,
  } = options;
  const pts = series.flatMap((s) => s.points).filter(([x, y]) =>
    Number.isFinite(x) && Number.isFinite(y)
  );
  const xs = pts.map(([x]) => x);
  const ys = pts.map(([, y]) => y);
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = yRange ?? (ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1]);
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const m = { left: 56, right: 130, top: title ? 28 : 12, bottom: xLabel ? 44 : 28 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>`,
  ];
  if (title) {
    out.push(
      `<text x="${m.left + pw / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${
        escapeHtml(title)
      }</text>`,
    );
  }
  for (const v of niceTicks(y0, y1)) {
    const y = sy(v).toFixed(1);
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(
      `<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${
        fmt(v)
      }</text>`,
    );
  }
  for (const v of niceTicks(x0, x1)) {
    const x = sx(v).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${m.top + ph + 16}" text-anchor="middle">${fmt(v)}</text>`);
  }
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
  );
  if (xLabel) {
    out.push(
      `<text x="${m.left + pw / 2}" y="${height - 8}" text-anchor="middle">${
        escapeHtml(xLabel)
      }</text>`,
    );
  }
  if (yLabel) {
    out.push(
      `<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${
        escapeHtml(yLabel)
      }</text>`,
    );
  }
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const segments: string[][] = [[]];
    for (const [x, y] of s.points) {
      if (Number.isFinite(x) && Number.isFinite(y)) {
        segments.at(-1)!.push(`${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
      } else segments.push([]);
    }
    for (const seg of segments.filter((g) => g.length > 0)) {
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2" points="${seg.join(" ")}"/>`,
      );
      if (markers) {
        for (const p of seg) {
          const [cx, cy] = p.split(",");
          out.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${color}"/>`);
        }
      }
    }
    const ly = m.top + 8 + i * 16;
    out.push(
      `<line x1="${m.left + pw + 10}" x2="${
        m.left + pw + 28
      }" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
    );
    out.push(
      `<text x="${m.left + pw + 32}" y="${ly}" dominant-baseline="middle">${
        escapeHtml(s.name)
      }</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n");
}
