/**
 * Notebook helpers for the Deno Jupyter kernel: MIME-bundle display (`html`, `svg`, `show`), HTML
 * tables of lineage records, and SVG line charts. Pure builders (`svgLineChart`, `htmlTable`,
 * `runsHtml`) return strings; the display wrappers only attach `Symbol.for("Jupyter.display")`.
 *
 * @example
 * ```ts
 * import { html, runsHtml, svg, svgLineChart } from "./mod.ts";
 * import { listRuns } from "../lineage/mod.ts";
 * html(runsHtml(await listRuns("runs"))); // as a cell's last expression it renders as a table
 * svg(svgLineChart([{ name: "capo", points: [[0, 0.1], [1, 0.4]] }], { title: "accuracy" }));
 * ```
 * @module
 */
export * from "./display.ts";
export * from "./html.ts";
export * from "./svg.ts";
export * from "./context.ts";
