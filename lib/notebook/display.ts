/**
 * Jupyter rich display for the Deno kernel: objects carrying a `Symbol.for("Jupyter.display")`
 * method render as their MIME bundle when they are a cell's value or are passed to `show()`.
 * Jupyter-only code: tests import the pure builders (svg.ts, html.ts), never this file's `show`.
 * @module
 */

/** A MIME bundle, e.g. `{ "text/html": "<b>x</b>", "text/plain": "x" }`. */
export type MimeBundle = Record<string, string>;

/** Something the Deno kernel renders through its MIME bundle. */
export interface Displayable {
  [key: symbol]: () => MimeBundle;
}

const DISPLAY = Symbol.for("Jupyter.display");

/**
 * Wraps a MIME bundle as a displayable value.
 *
 * @param bundle MIME type → content; add "text/plain" for consoles.
 * @returns The displayable.
 * @example
 * ```ts
 * mime({ "text/markdown": "**done**", "text/plain": "done" });
 * ```
 */
export function mime(bundle: MimeBundle): Displayable {
  return { [DISPLAY]: () => bundle };
}

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
 * Displays values now (inside a loop or mid-cell) when running in the Deno kernel; outside Jupyter
 * it prints their plain-text form.
 *
 * @param values Displayables or anything printable.
 * @example
 * ```ts
 * await show(html("<i>step 1</i>"));
 * ```
 */
export async function show(...values: unknown[]): Promise<void> {
  type Jupyter = { display(value: unknown, options?: { raw?: boolean }): Promise<void> };
  let jupyter: Jupyter | undefined;
  try {
    jupyter = (Deno as unknown as { jupyter?: Jupyter }).jupyter; // throws outside `deno jupyter`
  } catch {
    jupyter = undefined;
  }
  for (const value of values) {
    const bundle = (value as Displayable | null)?.[DISPLAY]?.();
    if (jupyter && bundle) await jupyter.display(bundle, { raw: true });
    else console.log(bundle ? bundle["text/plain"] ?? "" : value);
  }
}
