import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { init } from "@runlog/core";
import { venvPython } from "@runlog/test-support/python-env";
import { QUIET, tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";

const CHILD = fileURLToPath(new URL("../test-support/children/export-parquet.mjs", import.meta.url));
const ROWS = 150_000;
/** The history below is ~1.8 M values: buffered whole it does not fit this heap (the export then aborts out of memory). */
const HEAP_MB = 40;

describe("exportParquet memory", () => {
  it(`writes ${ROWS.toLocaleString("en")} rows × 12 keys under a ${HEAP_MB} MB heap: a row group in memory, never the history`, async () => {
    const root = tempRoot();
    const run = await init({ dir: root, entity: "e", project: "big", id: "big", settings: QUIET });
    for (let step = 0; step < ROWS; step++) {
      const row: Record<string, unknown> = {};
      for (let k = 0; k < 6; k++) row[`n${k}`] = step * (k + 1) + 0.5;
      for (let k = 0; k < 6; k++) row[`s${k}`] = `value ${k} at step ${step}`;
      run.log(row);
    }
    await run.finish();
    const out = join(root, "out");
    const child = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, CHILD, root, "e/big/big", out], { encoding: "utf8" });
    expect(child.stderr).toBe("");
    expect([child.status, child.stdout.trim()]).toEqual([0, join(out, "big.parquet")]);
    const script =
      "import json,sys,pyarrow.parquet as pq; f=pq.ParquetFile(sys.argv[1]); t=f.read_row_group(f.num_row_groups-1); last=t.slice(t.num_rows-1).to_pylist()[0]; print(json.dumps([f.metadata.num_rows, f.num_row_groups, last]))";
    const [rows, groups, last] = JSON.parse(execFileSync(venvPython("dev"), ["-c", script, join(out, "big.parquet")]).toString());
    expect([rows, groups]).toEqual([ROWS, ROWS / 10_000]);
    const step = ROWS - 1;
    expect(last).toMatchObject({ run_id: "big", _step: step, n0: step + 0.5, n5: step * 6 + 0.5, s0: `value 0 at step ${step}` });
  }, 600_000);
});
