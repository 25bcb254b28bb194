/**
 * Units written with `\text{…}` on both sides must agree: `3.5 \text{L}` is not `3.5 \text{gal}`.
 * A unit on one side only is dropped (the MATH grader's own tests assert `10\text{ units}` = 10).
 * @module
 */

const UNIT_TEXT =
  /\\(?:text|mbox|mathrm|textrm|textnormal)\s*\{\s*([a-zA-Z][a-zA-Z. ]{0,20}?)\s*\}/g;
const ALIASES: Record<string, string> = {
  inch: "in",
  inche: "in",
  foot: "ft",
  feet: "ft",
  centimeter: "cm",
  meter: "m",
  metre: "m",
  kilometer: "km",
  millimeter: "mm",
  second: "s",
  sec: "s",
  minute: "min",
  hour: "h",
  hr: "h",
  pound: "lb",
  kilogram: "kg",
  gram: "g",
  liter: "l",
  litre: "l",
  gallon: "gal",
  mile: "mi",
  dollar: "$",
  cent: "¢",
  degree: "°",
  unit: "",
};
const WORDS = /^(?:and|or|if|for|is|the|a|an|of|to|in|where|when|with|yes|no)$/;

/** The multiset of unit words written in `\text{}`, canonical and sorted; empty when none. */
export function unitWords(answer: string): string[] {
  const out: string[] = [];
  for (const m of answer.matchAll(UNIT_TEXT)) {
    for (const raw of m[1].toLowerCase().replace(/\./g, "").split(/\s+/)) {
      if (raw === "" || WORDS.test(raw)) continue;
      const singular = raw.length > 3 ? raw.replace(/s$/, "") : raw;
      const unit = ALIASES[singular] ?? singular;
      if (unit !== "") out.push(unit);
    }
  }
  return out.sort();
}

/** True when both answers state units and the units differ. */
export function unitsDiffer(pred: string, gold: string): boolean {
  const a = unitWords(pred);
  const b = unitWords(gold);
  return a.length > 0 && b.length > 0 && a.join(" ") !== b.join(" ");
}
