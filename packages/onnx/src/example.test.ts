import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api } from "@runlog/core";
import { versionIdOf } from "@runlog/test-support/artifact-ids";
import { afterAll, describe, expect, it } from "vitest";

// The examples/torch-to-onnx job end to end: real PyTorch (Debian's python3-torch) logging through a real bridge, real ONNX export, real onnxruntime-node.
const EXAMPLE = fileURLToPath(new URL("../../../examples/torch-to-onnx/index.mjs", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "runlog-torch-to-onnx-"));
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));

describe("examples/torch-to-onnx", () => {
  it("trains in PyTorch through the bridge, logs the ONNX model, evaluates it against PyTorch in Node and links it: train run → model → eval run", async () => {
    const result = spawnSync(process.execPath, [EXAMPLE], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, RUNLOG_DIR: join(root, "runlog"), RUNLOG_ARTIFACT_DIR: join(root, "artifacts") },
      timeout: 180_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/top-1 agreement 100 %/);
    const api = new Api({ dir: join(root, "runlog") });
    try {
      const runs = await api.runs("torch-to-onnx", { order: "+createdAt" });
      const [train, evaluation] = runs;
      expect(runs.map((run) => run.jobType)).toEqual(["train", "eval"]);
      expect(train?.config).toMatchObject({ epochs: 8, hidden: 32 });
      expect(Number(evaluation?.summary["eval/accuracy"])).toBeGreaterThan(0.5);
      expect(evaluation?.summary["eval/max_abs_diff"]).toBeLessThan(1e-4);
      const [model] = await (train as NonNullable<typeof train>).loggedArtifacts();
      expect(model?.type).toBe("model");
      expect(Object.keys(model?.manifest.contents ?? {})).toEqual(["model.onnx"]); // logged by the Python client through the bridge
      expect(evaluation?.summary.model).toMatchObject({
        format: "onnx",
        producer: { name: "pytorch" },
        inputs: [{ name: "input", shape: ["batch", 64] }],
        parameters: 64 * 32 + 32 + 32 * 10 + 10,
      });
      const used = await (evaluation as NonNullable<typeof evaluation>).usedArtifacts();
      expect(used.map((a) => a.qualifiedName)).toEqual([model?.qualifiedName]);
      const lineage = await api.lineage(model as NonNullable<typeof model>);
      expect(lineage.edges).toEqual(
        expect.arrayContaining([
          { from: `run:${train?.path}`, to: `artifact:${model && versionIdOf(model)}` },
          { from: `artifact:${model && versionIdOf(model)}`, to: `run:${evaluation?.path}` },
        ]),
      );
    } finally {
      api.close();
    }
  }, 200_000);
});
