/**
 * Runs every experiments/*.ipynb headless and checks the lineage record each one wrote. With
 * Jupyter and the Deno kernelspec installed it uses `jupyter nbconvert --execute` and also checks
 * the executed outputs: every cell that displays tables (`html(...)`) or charts (`svg(...)`) must
 * carry at least that many `text/html` / `image/svg+xml` outputs, in every execution. Without
 * Jupyter it runs the notebook's code cells in order through Deno as one module and says that the
 * outputs are not checked (CAPO_NOTEBOOK_RUNNER=deno forces that path).
 */
import assert from "node:assert/strict";
import { listRuns } from "../../lib/lineage/mod.ts";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const notebooks = [...Deno.readDirSync(`${root}/experiments`)]
  .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
  .map((e) => e.name)
  .sort();

async function hasDenoKernel(): Promise<boolean> {
  try {
    const out = await new Deno.Command("jupyter", {
      args: ["kernelspec", "list", "--json"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success &&
      "deno" in (JSON.parse(new TextDecoder().decode(out.stdout)).kernelspecs ?? {});
  } catch {
    return false;
  }
}

// CAPO_NOTEBOOK_RUNNER=deno forces the fallback (to test it on a machine with Jupyter).
const useJupyter = Deno.env.get("CAPO_NOTEBOOK_RUNNER") !== "deno" && await hasDenoKernel();

/** The notebook's code cells as one module; `../lib/` imports become absolute. */
function cellsAsModule(
  notebook: { cells: { cell_type: string; source: string | string[] }[] },
): string {
  return notebook.cells
    .filter((c) => c.cell_type === "code")
    .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source))
    .join("\n\n")
    .replaceAll(`"../lib/`, `"file://${root}/lib/`);
}

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: { output_type: string; data?: Record<string, unknown>; text?: string | string[] }[];
}

const text = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join("") : value ?? "";

/**
 * What a code cell must show: one `text/html` output per `html(` call and one `image/svg+xml`
 * output per `svg(` call in its source (a lower bound: a call inside a loop shows more).
 */
function expectedDisplays(source: string): { html: number; svg: number } {
  const code = source.replace(/\/\/.*$/gm, "");
  return {
    html: (code.match(/(?<![\w.])html\(/g) ?? []).length,
    svg: (code.match(/(?<![\w.])svg\(/g) ?? []).length,
  };
}

/** Problems with the executed notebook's outputs; empty when every expected display is there. */
function missingDisplays(name: string, cells: Cell[]): string[] {
  const problems: string[] = [];
  cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const want = expectedDisplays(text(cell.source));
    const outputs = cell.outputs ?? [];
    const count = (mime: string) => outputs.filter((o) => o.data && mime in o.data).length;
    const got = { html: count("text/html"), svg: count("image/svg+xml") };
    if (got.html < want.html || got.svg < want.svg) {
      problems.push(
        `${name} cell ${index}: expected at least ${want.html} text/html and ${want.svg} ` +
          `image/svg+xml outputs, got ${got.html} and ${got.svg}`,
      );
    }
    for (const o of outputs) {
      if (o.output_type === "error") problems.push(`${name} cell ${index}: error output`);
      if (/capo: cannot confirm/.test(text(o.text))) {
        problems.push(`${name} cell ${index}: ${text(o.text).trim()}`);
      }
    }
  });
  return problems;
}

async function runNotebook(name: string, runsDir: string, tmp: string): Promise<void> {
  const env = { NO_COLOR: "1", CAPO_RUNS_DIR: runsDir, CAPO_NOTEBOOK_SMOKE: "1" };
  const command = useJupyter
    ? new Deno.Command("jupyter", {
      args: [
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.timeout=600",
        "--output-dir",
        tmp,
        `${root}/experiments/${name}`,
      ],
      cwd: `${root}/experiments`,
      env,
      stdout: "piped",
      stderr: "piped",
    })
    : await (async () => {
      const module = `${tmp}/${name.replace(/\.ipynb$/, "")}.ts`;
      await Deno.writeTextFile(
        module,
        cellsAsModule(JSON.parse(await Deno.readTextFile(`${root}/experiments/${name}`))),
      );
      return new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", `${root}/deno.json`, module],
        cwd: `${root}/experiments`,
        env,
        stdout: "piped",
        stderr: "piped",
      });
    })();
  const out = await command.output();
  const log = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  assert.ok(
    out.success,
    `${name} failed (${useJupyter ? "jupyter" : "deno"}):\n${log.slice(-3000)}`,
  );
  if (!useJupyter) return;
  const executed = JSON.parse(await Deno.readTextFile(`${tmp}/${name}`)) as { cells: Cell[] };
  const problems = missingDisplays(name, executed.cells);
  assert.deepEqual(problems, [], problems.join("\n"));
}

if (!useJupyter) {
  console.log(
    "notebooks_test: jupyter with the Deno kernel is not installed (or CAPO_NOTEBOOK_RUNNER=deno); running each notebook's code cells through Deno instead, without checking displayed outputs",
  );
}

for (const name of notebooks) {
  Deno.test(`notebook ${name} runs headless, keeps every table and chart it displays, and writes a completed lineage record`, async () => {
    const tmp = await Deno.makeTempDir({ prefix: "capo-nb-" });
    const runsDir = `${tmp}/runs`;
    try {
      await runNotebook(name, runsDir, tmp);
      const runs = await listRuns(runsDir, { kind: "notebook" });
      const stem = name.replace(/\.ipynb$/, "");
      const record = runs.find((r) => r.name === stem);
      assert.ok(
        record,
        `${name} wrote no notebook record in ${runsDir}; found ${
          runs.map((r) => r.name).join(", ") || "none"
        }`,
      );
      assert.equal(record.status, "completed");
      assert.ok(record.summary && Object.keys(record.summary).length > 0, "summary is empty");
      assert.ok(record.config_sha256.length === 64);
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  });
}

Deno.test("every notebook declares the Deno kernel", () => {
  assert.ok(notebooks.length >= 3, `expected at least 3 notebooks, got ${notebooks.join(", ")}`);
  for (const name of notebooks) {
    const nb = JSON.parse(Deno.readTextFileSync(`${root}/experiments/${name}`));
    assert.deepEqual(nb.metadata.kernelspec, {
      name: "deno",
      display_name: "Deno",
      language: "typescript",
    }, name);
    assert.equal(nb.nbformat, 4);
  }
});
