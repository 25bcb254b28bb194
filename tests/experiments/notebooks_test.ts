/**
 * Runs every experiments/*.ipynb headless and checks the lineage record each one wrote (captured
 * outputs are unreliable with the Deno kernel, so the record is the evidence). With Jupyter and the
 * Deno kernelspec installed it uses `jupyter nbconvert --execute`; otherwise it runs the notebook's
 * code cells in order through Deno as one module, and says so (CAPO_NOTEBOOK_RUNNER=deno forces
 * that path).
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
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  assert.ok(
    out.success,
    `${name} failed (${useJupyter ? "jupyter" : "deno"}):\n${text.slice(-3000)}`,
  );
}

if (!useJupyter) {
  console.log(
    "notebooks_test: jupyter with the Deno kernel is not installed (or CAPO_NOTEBOOK_RUNNER=deno); running each notebook's code cells through Deno instead",
  );
}

for (const name of notebooks) {
  Deno.test(`notebook ${name} runs headless and writes a completed lineage record`, async () => {
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
