import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../../fixtures/make_models.py", import.meta.url));
const PYTHON = process.env.RUNLOG_PYTHON ?? "/usr/bin/python3";

export interface Fixtures {
  readonly dir: string;
  readonly mlp: string;
  readonly external: string;
  readonly dtypes: string;
  readonly legacy: string;
  /** What python-onnx reports for each model (the reference). */
  readonly expected: Record<string, Record<string, unknown> & { initializerSums: Record<string, number> }>;
}

/** Builds the test models with Debian's python3-onnx (fixtures/make_models.py) into a temp folder. */
export function makeFixtures(): Fixtures {
  const dir = mkdtempSync(join(tmpdir(), "runlog-onnx-fixtures-"));
  const result = spawnSync(PYTHON, [SCRIPT, dir], { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(
      `${PYTHON} ${SCRIPT} failed (needs Debian's python3-onnx and python3-numpy: apt-get install -y python3-onnx python3-numpy):\n${result.stderr}`,
    );
  }
  return {
    dir,
    mlp: join(dir, "mlp.onnx"),
    external: join(dir, "external", "model.onnx"),
    dtypes: join(dir, "dtypes.onnx"),
    legacy: join(dir, "legacy.onnx"),
    expected: JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")),
  };
}
