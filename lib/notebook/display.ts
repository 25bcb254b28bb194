/**
 * Jupyter rich display for the Deno kernel: objects carrying a `Symbol.for("Jupyter.display")`
 * method render as their MIME bundle when they are a cell's value or are passed to `show()`.
 * Every output path here waits for the kernel to publish what the cell displayed before it
 * resolves (see `_iopub.ts` for the race this closes), so an executed notebook keeps its outputs.
 * Jupyter-only code: tests import the pure builders (svg.ts, html.ts), never this file's `show`.
 * @module
 */
import { fenceOutputs, jupyterApi } from "./_iopub.ts";

/** A MIME bundle, e.g. `{ "text/html": "<b>x</b>", "text/plain": "x" }`. */
export type MimeBundle = Record<string, string>;

/** Something the Deno kernel renders through its MIME bundle. */
export interface Displayable {
  [key: symbol]: () => MimeBundle | Promise<MimeBundle>;
}

const DISPLAY = Symbol.for("Jupyter.display");
/** The bundle itself, so `show` can send it without running the flushing display method. */
const BUNDLE = Symbol("capo.notebook.bundle");

/** Options for {@linkcode flushOutputs} and {@linkcode showAll}. */
export interface FlushOptions {
  /** Longest wait for the kernel to publish the cell's outputs, in milliseconds. @default 5000 */
  timeoutMs?: number;
  /** Receives the one-line warning when publication cannot be confirmed. @default console.error */
  warn?: (line: string) => void;
}

/** Reasons already reported, so a notebook gets one warning per cause rather than one per cell. */
const reported = new Set<string>();

/**
 * Waits until every output the current cell has produced so far (displays, tables, charts,
 * `console.log` lines) has been published by the Deno kernel. `show` and a displayable cell value
 * call it already; call it yourself at the end of a cell whose last output is a `console.log`.
 * Outside Jupyter it returns at once. When publication cannot be confirmed it warns once per
 * cause and waits 100 ms instead (best effort).
 *
 * @param options See {@linkcode FlushOptions}.
 * @returns Whether publication was confirmed.
 * @example
 * ```ts
 * console.log("done");
 * await flushOutputs();
 * ```
 */
export async function flushOutputs(options: FlushOptions = {}): Promise<boolean> {
  const { timeoutMs = 5000, warn = (line: string) => console.error(line) } = options;
  if (!jupyterApi()) return false;
  const result = await fenceOutputs({ timeoutMs });
  if (result.ok) return true;
  if (!reported.has(result.reason ?? "")) {
    reported.add(result.reason ?? "");
    warn(
      `capo: cannot confirm that this cell's outputs were published (${result.reason}); ` +
        "the last displays of a cell may be missing from an executed notebook",
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  return false;
}

/**
 * Wraps a MIME bundle as a displayable value. As a cell's last expression it renders as the
 * cell's result. In the Deno kernel the kernel's own `execute_result` races the end of the cell
 * (it is queued after the code has finished), so there the value shows itself as a published
 * display instead and hands the kernel an empty result bundle; elsewhere it returns the bundle.
 * Display it with `show`, not `Deno.jupyter.display` (which would add that empty bundle).
 *
 * @param bundle MIME type → content; add "text/plain" for consoles.
 * @returns The displayable.
 * @example
 * ```ts
 * mime({ "text/markdown": "**done**", "text/plain": "done" });
 * ```
 */
export function mime(bundle: MimeBundle): Displayable {
  return {
    [DISPLAY]: async () => {
      const jupyter = jupyterApi() as JupyterDisplay | undefined;
      if (!jupyter) return bundle;
      await jupyter.display(bundle, { raw: true });
      await flushOutputs();
      return {}; // the bundle is already shown: returning it too would show it twice
    },
    [BUNDLE]: () => bundle,
  };
}

type JupyterDisplay = { display(value: unknown, options?: { raw?: boolean }): Promise<void> };

/**
 * HTML (with a plain-text fallback).
 * @example
 * ```ts
 * html("<b>hi</b>");
 * ```
 */
export function html(markup: string, plain = markup.replace(/<[^>]+>/g, "")): Displayable {
  return mime({ "text/html": markup, "text/plain": plain });
}

/**
 * SVG markup (sent as image/svg+xml, which nbconvert and GitHub render inline).
 * @example
 * ```ts
 * svg('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
 * ```
 */
export function svg(markup: string, plain = "[chart]"): Displayable {
  return mime({ "image/svg+xml": markup, "text/plain": plain });
}

/**
 * Displays values now (inside a loop or mid-cell) and resolves once the kernel has published
 * them, so `await show(...)` as a cell's last statement never loses an output. Outside Jupyter it
 * prints their plain-text form.
 *
 * @param values Displayables or anything printable.
 * @example
 * ```ts
 * await show(html("<i>step 1</i>"), svg('<svg xmlns="http://www.w3.org/2000/svg"/>'));
 * ```
 */
export function show(...values: unknown[]): Promise<void> {
  return showAll(values);
}

/**
 * {@linkcode show} with options.
 *
 * @param values Displayables or anything printable.
 * @param options See {@linkcode FlushOptions}.
 * @example
 * ```ts
 * await showAll([html("<b>done</b>")], { timeoutMs: 10_000 });
 * ```
 */
export async function showAll(values: unknown[], options: FlushOptions = {}): Promise<void> {
  const jupyter = jupyterApi() as JupyterDisplay | undefined;
  for (const value of values) {
    const bundle = await bundleOf(value);
    if (jupyter && bundle) await jupyter.display(bundle, { raw: true });
    else console.log(bundle ? bundle["text/plain"] ?? "" : value);
  }
  if (jupyter) await flushOutputs(options);
}

async function bundleOf(value: unknown): Promise<MimeBundle | undefined> {
  const object = value as Record<symbol, (() => MimeBundle | Promise<MimeBundle>) | undefined>;
  if (value === null || typeof value !== "object") return undefined;
  return await (object[BUNDLE] ?? object[DISPLAY])?.();
}
