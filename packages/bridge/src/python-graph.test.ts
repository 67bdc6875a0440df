import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "@runlog/test-support/child-process";
import { venvPython } from "@runlog/test-support/python-env";
import { afterAll, describe, expect, it } from "vitest";
import { startBridge } from "./index.js";

// watch(model, log_graph=True) with a real torch model, under the real wandb (offline) and under
// runlog: the same graph file (layers, shapes, parameter counts) and the same summary entry.
const SCRIPT = fileURLToPath(new URL("../python/tests/graph_script.py", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "runlog-graph-"));
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));

type GraphFile = { format: string; nodes: Record<string, unknown>[]; edges: unknown[] };
type Seen = {
  second_watch: string;
  summary: { _type: string; sha256: string; size: number; path: string };
  stored_summary?: Seen["summary"];
  files?: string[];
  file: GraphFile;
};

const withoutIds = (file: GraphFile) => ({ ...file, nodes: file.nodes.map(({ id: _id, ...node }) => node) });

describe("watch(log_graph=True) records the model graph as W&B does", () => {
  it("keeps a graph-file summary entry and its .graph.json as a run file, equal to W&B's but for object ids", async () => {
    const bridge = await startBridge({ endpoint: `ipc://${join(dir, "bridge.sock")}`, dir: join(dir, "store"), log: () => {} });
    try {
      const [wandb, runlog] = await Promise.all([
        run(venvPython("dev"), [SCRIPT, "wandb", join(dir, "wandb.json")], { env: { ...process.env }, cwd: dir }),
        run(venvPython("dev"), [SCRIPT, "runlog", join(dir, "runlog.json")], {
          env: { ...process.env, RUNLOG_BRIDGE: bridge.endpoint },
          cwd: dir,
        }),
      ]);
      expect(wandb.code, wandb.stderr).toBe(0);
      expect(runlog.code, runlog.stderr).toBe(0);
    } finally {
      await bridge.close();
    }
    const theirs = JSON.parse(readFileSync(join(dir, "wandb.json"), "utf8")) as Seen;
    const ours = JSON.parse(readFileSync(join(dir, "runlog.json"), "utf8")) as Seen;
    expect(withoutIds(ours.file)).toEqual(withoutIds(theirs.file));
    expect(ours.file.nodes.map((node) => node.name)).toEqual(["0", "1", "2.0", "2.1", "3"]);
    expect(new Set(ours.file.nodes.map((node) => node.id)).size).toBe(5);
    expect(Object.keys(ours.summary).sort()).toEqual(Object.keys(theirs.summary).sort());
    expect(ours.summary._type).toBe("graph-file");
    expect(ours.summary.path).toBe(`media/graph/graph_0_summary_${ours.summary.sha256.slice(0, 20)}.graph.json`);
    expect(theirs.summary.path).toBe(`media/graph/graph_0_summary_${theirs.summary.sha256.slice(0, 20)}.graph.json`);
    // Read back through the Api: the same summary entry, and the file among the run's files.
    expect(ours.stored_summary).toEqual(ours.summary);
    expect(ours.files).toContain(ours.summary.path);
    expect([ours.second_watch, theirs.second_watch]).toEqual(["ValueError", "ValueError"]);
  }, 120_000);
});
