/**
 * `deno task critic:parse [FILE]` — re-parses cached critiques: reads JSONL (stdin when no FILE)
 * whose objects have `critique` and `num_steps`, and writes each object plus `wrong_steps` (sorted
 * 0-based indices, or null) and `parse_reason` as JSONL on stdout. A bad line stops with an error
 * naming its line number (exit 1) unless `--skip-invalid` is given.
 * @module
 */
import { parseArgs } from "node:util";
import {
  annotateCritiqueRecord,
  loadCritiqueCorpus,
  naiveParseCritique,
  parseCritique,
  type ParseCritiqueOptions,
  scoreParser,
} from "../critic/parse.ts";
import { runCriticCommand } from "./_critic_cli.ts";

const USAGE = `Usage: deno task critic:parse [options] [FILE]

Reads JSONL with "critique" and "num_steps" (other fields pass through) from FILE or stdin and
writes each object plus "wrong_steps" and "parse_reason" to stdout.

Options:
  --one-based         read step numbers as 1-based (default: 0-based, as the prompt asks)
  --last-number-list  last resort: accept the last bracketed number list anywhere in the text
  --skip-invalid      report bad lines on stderr and go on (default: stop, exit 1)
  --summary           print counts per parse_reason to stderr at the end
  --score             FILE is a labelled corpus (expected_wrong_steps): print the exact-match
                      accuracy of this parser and of the naive last-[...] parser, per tag
  -h, --help          show this help`;

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
    }
  }
  if (buffer !== "") yield buffer;
}

async function score(
  input: ReadableStream<Uint8Array>,
  source: string,
  options: ParseCritiqueOptions,
): Promise<number> {
  const corpus = loadCritiqueCorpus(await new Response(input).text(), source);
  const ours = scoreParser(corpus, { parser: (t, n) => parseCritique(t, n, options) });
  const naive = scoreParser(corpus, { parser: naiveParseCritique });
  const pct = (c: number, t: number) => `${(t ? (100 * c) / t : 0).toFixed(1)}%`.padStart(7);
  console.log(
    `${"tag".padEnd(14)} ${"n".padStart(4)} ${"ours".padStart(7)} ${"naive".padStart(7)}`,
  );
  console.log(
    `${"ALL".padEnd(14)} ${String(ours.total).padStart(4)} ${pct(ours.correct, ours.total)} ${
      pct(naive.correct, naive.total)
    }`,
  );
  for (const [tag, t] of Object.entries(ours.byTag).sort((a, b) => b[1].total - a[1].total)) {
    const n = naive.byTag[tag];
    console.log(
      `${tag.padEnd(14)} ${String(t.total).padStart(4)} ${pct(t.correct, t.total)} ${
        pct(n.correct, n.total)
      }`,
    );
  }
  for (const miss of ours.misses) console.log(`miss ${JSON.stringify(miss)}`);
  return 0;
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      "one-based": { type: "boolean", default: false },
      "last-number-list": { type: "boolean", default: false },
      "skip-invalid": { type: "boolean", default: false },
      summary: { type: "boolean", default: false },
      score: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 1) {
    console.error(`Cannot run critic:parse: expected at most one FILE, got ${positionals.length}`);
    return 2;
  }
  const source = positionals[0] ?? "stdin";
  let input = Deno.stdin.readable;
  if (positionals[0]) {
    try {
      input = (await Deno.open(positionals[0])).readable;
    } catch (error) {
      console.error(`Cannot read ${source}: expected a readable file, got ${error}`);
      return 1;
    }
  }
  const options: ParseCritiqueOptions = {
    oneBased: values["one-based"],
    acceptLastNumberList: values["last-number-list"],
  };
  if (values.score) return await score(input, source, options);
  const encoder = new TextEncoder();
  const counts: Record<string, number> = {};
  let lineNo = 0, bad = 0, parsed = 0;
  for await (const line of lines(input)) {
    lineNo++;
    if (line.trim() === "") continue;
    let out: Record<string, unknown>;
    try {
      out = annotateCritiqueRecord(JSON.parse(line), options);
    } catch (error) {
      const what = error instanceof SyntaxError
        ? `expected JSON, got ${line.slice(0, 60)}`
        : String((error as Error).message).replace(/^Cannot annotate critique record: /, "");
      console.error(`Cannot parse line ${lineNo} of ${source}: ${what}`);
      if (!values["skip-invalid"]) return 1;
      bad++;
      continue;
    }
    const reason = String(out.parse_reason);
    counts[reason] = (counts[reason] ?? 0) + 1;
    parsed++;
    await Deno.stdout.write(encoder.encode(JSON.stringify(out) + "\n"));
  }
  if (values.summary) {
    const parts = Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`);
    console.error(`parsed ${parsed} lines, skipped ${bad}: ${parts.join(" ")}`);
  }
  return 0;
}

if (import.meta.main) {
  let code = 1;
  await runCriticCommand("critic:parse", async () => {
    code = await main(Deno.args);
  });
  Deno.exit(code);
}
