import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api } from "@runlog/core";
import { venvPython } from "@runlog/test-support/python-env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bridge, startBridge } from "./index.js";

// A real lightning.Trainer (Lightning 2.6 + PyPI torch on CPU, the project's .venv) with RunlogLogger,
// read back through the store; the same script under Lightning's own WandbLogger (W&B offline) is the oracle.
const PYTHON = venvPython("dev");
const SCRIPT = fileURLToPath(new URL("../python/tests/lightning_trainer.py", import.meta.url));

type Spec = {
  work: string;
  logger?: "runlog" | "wandb";
  log_model?: boolean | "all";
  max_epochs?: number;
  version?: string;
  ckpt_path?: string;
  csv?: boolean;
  stages?: string;
  media?: boolean;
  watch?: boolean;
  prefix?: string;
  checkpoint_name?: string;
  step_probe?: boolean;
};
type Outcome = {
  refused: string | null;
  version_before: string | null;
  version: string;
  id: string;
  path: string;
  name: string;
  save_dir: string;
  global_step: number;
  best: string;
  last: string;
  scores: Record<string, number>;
  csv: string | null;
  probe_steps: number[];
  final_step: number;
};
type Row = Record<string, unknown>;

let dir: string;
let bridge: Bridge;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "runlog-lightning-"));
  bridge = await startBridge({ endpoint: `ipc://${join(dir, "bridge.sock")}`, dir: join(dir, "store"), log: () => {} });
});
afterAll(async () => {
  await bridge.close();
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

function train(spec: Spec, env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, JSON.stringify(spec)], {
      env: { ...process.env, RUNLOG_BRIDGE: `ipc://${join(dir, "bridge.sock")}`, WANDB_SILENT: "true", ...env },
      cwd: spec.work,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (code) => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !last.startsWith("{")) reject(new Error(`trainer exited ${code}:\n${stderr}\n${stdout}`));
      else resolve(JSON.parse(last) as Outcome);
    });
  });
}

function workDir(name: string): string {
  return mkdtempSync(join(dir, `${name}-`));
}

async function readRun(path: string) {
  const api = new Api({ dir: join(dir, "store") });
  try {
    const run = await api.run(path);
    const rows: Row[] = [];
    for await (const row of run.scanHistory()) rows.push(row);
    return { rows, state: run.state, config: run.config, summary: run.summary, artifacts: await run.loggedArtifacts() };
  } finally {
    api.close();
  }
}

/** W&B's own reader of its offline log (`wandb leet inspect --json`): the history rows and the model artifacts. */
function readWandb(work: string): Promise<{ rows: Row[]; models: { aliases: string[]; metadata: Record<string, unknown> }[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ["-m", "wandb", "leet", "inspect", "--json", join(work, "wandb", "latest-run")]);
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`wandb leet inspect exited ${code}`));
      const records = stdout
        .trim()
        .split("\n")
        .map(
          (line) =>
            JSON.parse(line) as { type: string; history?: { item: Row }; artifact?: { type: string; aliases: string[]; metadata: string } },
        );
      resolve({
        rows: records.flatMap((r) => (r.type === "history" && r.history ? [r.history.item] : [])),
        models: records.flatMap((r) =>
          r.type === "artifact" && r.artifact?.type === "model"
            ? [{ aliases: r.artifact.aliases, metadata: JSON.parse(r.artifact.metadata) as Record<string, unknown> }]
            : [],
        ),
      });
    });
  });
}

const KINDS: Record<string, string> = {
  histogram: "histogram",
  "table-file": "table",
  "images/separated": "images",
  "image-file": "images",
};

/** A row as "what was logged": scalars by value, media by kind (W&B flattens `k._type`, Runlog nests `k: {_type}`). */
function shape(row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const flattened = Object.keys(row).flatMap((key) => (key.endsWith("._type") ? [key.slice(0, -"_type".length)] : []));
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith("_")) continue;
    if (key.endsWith("._type")) out[key.slice(0, -"._type".length)] = KINDS[String(value)] ?? value;
    else if (flattened.some((prefix) => key.startsWith(prefix))) continue;
    else if (typeof value === "number") out[key] = value;
    else if (Array.isArray(value)) out[key] = KINDS[String((value[0] as Row)._type)];
    else if (value && typeof value === "object" && "_type" in value) out[key] = KINDS[String(value._type)];
  }
  return out;
}

const numbers = (rows: Row[], key: string) => rows.filter((r) => key in r).map((r) => [r["trainer/global_step"], r[key]]);

describe("RunlogLogger with a real Lightning Trainer", () => {
  it("fit, validate and test on one trainer log what WandbLogger logs (W&B offline as the oracle); finalize leaves the run open", async () => {
    const ours = await train({ work: workDir("ours"), log_model: true, watch: true, media: true });
    const theirsDir = workDir("wandb");
    const theirs = await train({ work: theirsDir, logger: "wandb", log_model: true, watch: true, media: true }, { WANDB_MODE: "offline" });
    const run = await readRun(ours.path);
    const wandb = await readWandb(theirsDir);

    // Rows after validate and test (and media after them) landed: the stages' finalize did not finish the run.
    expect(run.rows.map(shape)).toEqual(wandb.rows.map(shape));
    expect(run.rows.some((r) => "test_loss" in r)).toBe(true);
    expect(run.rows.at(-1)).toHaveProperty("pictures");
    expect(run.rows.filter((r) => Object.keys(r).some((k) => k.startsWith("gradients/")))).toHaveLength(6);
    // logger.watch(model) takes WandbLogger's log_graph=True: W&B's graph-file summary entry for the model.
    expect(run.summary.graph_0).toMatchObject({
      _type: "graph-file",
      path: expect.stringMatching(/^media\/graph\/graph_0_summary_\w{20}\.graph\.json$/),
    });
    expect(run.config).toEqual({ lr: 0.05, activation: "tanh" });
    expect(run.state).toBe("finished");
    expect([ours.refused, theirs.refused]).toEqual(["MisconfigurationException", "MisconfigurationException"]);
    expect([ours.name, ours.version_before, ours.version]).toEqual(["lightning", null, ours.id]);

    // log_model=True with save_top_k=2: every kept checkpoint, scored, once fit succeeded; best/latest on the newest best.
    const scored = (metadata: Record<string, unknown>) => [metadata.original_filename, metadata.score];
    expect(run.artifacts.map((a) => [a.version, [...a.aliases].sort(), ...scored(a.metadata as Record<string, unknown>)])).toEqual([
      ["v0", [], "epoch=1-step=8.ckpt", ours.scores["epoch=1-step=8.ckpt"]],
      ["v1", ["best", "latest"], "epoch=2-step=12.ckpt", ours.scores["epoch=2-step=12.ckpt"]],
    ]);
    // W&B logs last.ckpt as its own record too; its server folds it into the same version by digest, as Runlog's store does.
    expect(wandb.models.map((m) => scored(m.metadata)).filter(([file]) => file !== "last.ckpt")).toEqual(
      run.artifacts.map((a) => scored(a.metadata as Record<string, unknown>)),
    );
    expect(run.artifacts.every((a) => a.name === `model-${ours.id}` && Object.keys(a.manifest.contents).join() === "model.ckpt")).toBe(
      true,
    );
    expect(run.artifacts.map((a) => (a.metadata as { ModelCheckpoint: unknown }).ModelCheckpoint)[0]).toEqual({
      monitor: "val_loss",
      mode: "min",
      save_last: true,
      save_top_k: 2,
      save_weights_only: false,
      _every_n_train_steps: 0,
    });
  }, 300_000);

  it('log_model="all" logs each checkpoint as it is saved, False logs none', async () => {
    const all = await train({ work: workDir("all"), log_model: "all", max_epochs: 3, stages: "fit,validate" });
    const all_ = await readRun(all.path);
    // last.ckpt is logged too (as by WandbLogger); when its bytes equal a logged checkpoint's, no new version is made.
    const epochs = all_.artifacts.filter((a) => (a.metadata as { original_filename: string }).original_filename !== "last.ckpt");
    expect(epochs.map((a) => [(a.metadata as { original_filename: string }).original_filename, [...a.aliases].sort()])).toEqual([
      ["epoch=0-step=4.ckpt", []],
      ["epoch=1-step=8.ckpt", []],
      ["epoch=2-step=12.ckpt", ["best", "latest"]],
    ]);
    expect(all_.artifacts.map((a) => a.version)).toEqual(all_.artifacts.map((_, i) => `v${i}`));
    expect(all_.artifacts.every((a) => typeof (a.metadata as { score: unknown }).score === "number")).toBe(true);
    const none = await train({ work: workDir("none"), log_model: false, max_epochs: 1, stages: "fit" });
    expect((await readRun(none.path)).artifacts).toEqual([]);
  }, 120_000);

  it("WandbLogger's constructor arguments: version, save_dir, prefix, checkpoint_name", async () => {
    const work = workDir("ctor");
    const out = await train({
      work,
      version: "given-id",
      prefix: "fold1",
      checkpoint_name: "lit-model",
      log_model: true,
      max_epochs: 1,
      stages: "fit",
    });
    expect([out.version_before, out.version, out.id, out.save_dir]).toEqual(["given-id", "given-id", "given-id", work]);
    expect(out.last).toBe(join(work, "lightning", "given-id", "checkpoints", "last.ckpt"));
    const run = await readRun(out.path);
    expect(
      [...new Set(run.rows.flatMap((r) => Object.keys(r).filter((k) => !k.startsWith("_") && k !== "trainer/global_step")))].sort(),
    ).toEqual(["fold1-epoch", "fold1-train_loss", "fold1-val_loss"]);
    expect([...new Set(run.artifacts.map((a) => a.name))]).toEqual(["lit-model"]);
  }, 120_000);

  it("beside a CSVLogger (two loggers at once) both get the same metrics", async () => {
    const out = await train({ work: workDir("csv"), csv: true, max_epochs: 2, stages: "fit" });
    const run = await readRun(out.path);
    const lines = readFileSync(join(out.csv as string, "metrics.csv"), "utf8")
      .trim()
      .split(/\r?\n/);
    const header = (lines[0] as string).split(",");
    const csvRows = lines.slice(1).map((line) => Object.fromEntries(line.split(",").map((v, i) => [header[i], v])));
    for (const key of ["train_loss", "val_loss"]) {
      const csv = csvRows.filter((r) => r[key] !== "").map((r) => [Number(r.step), Number(r[key])]);
      expect(numbers(run.rows, key)).toEqual(csv);
      expect(csv.length).toBeGreaterThan(1);
    }
  }, 120_000);

  it("resuming from a checkpoint with the same version continues the same run at Lightning's step", async () => {
    const work = workDir("resume");
    const first = await train({ work, version: "resumed-run", max_epochs: 2, stages: "fit" });
    const second = await train({ work, version: "resumed-run", max_epochs: 3, stages: "fit", ckpt_path: first.last });
    expect([first.path, first.global_step, second.global_step]).toEqual([second.path, 8, 12]);
    const run = await readRun(second.path);
    expect(numbers(run.rows, "train_loss").map(([step]) => step)).toEqual([1, 3, 5, 7, 9, 11]);
    expect(numbers(run.rows, "val_loss").map(([step]) => step)).toEqual([3, 7, 11]);
    expect(run.rows.map((r) => r._step)).toEqual(run.rows.map((_, i) => i));
  }, 120_000);

  it("logger.experiment.step moves as W&B's run.step: a callback logging at it fills the same rows as under WandbLogger, and resumes", async () => {
    const ours = await train({ work: workDir("probe"), step_probe: true, stages: "fit" });
    const theirsDir = workDir("probe-wandb");
    const theirs = await train({ work: theirsDir, logger: "wandb", step_probe: true, stages: "fit" }, { WANDB_MODE: "offline" });
    expect(ours.probe_steps).toEqual(theirs.probe_steps);
    expect(ours.final_step).toBe(theirs.final_step);
    const run = await readRun(ours.path);
    const wandb = await readWandb(theirsDir);
    expect(run.rows.map(shape)).toEqual(wandb.rows.map(shape));
    expect(run.rows.filter((r) => "probe/val_epoch" in r)).toHaveLength(4); // the sanity check and 3 epochs

    // Resumed from a checkpoint, the run's next step is where the first process left off (W&B's starting_step).
    const work = workDir("probe-resume");
    const first = await train({ work, version: "probe-resumed", max_epochs: 2, stages: "fit", step_probe: true });
    const second = await train({ work, version: "probe-resumed", max_epochs: 3, stages: "fit", step_probe: true, ckpt_path: first.last });
    expect(second.probe_steps[0]).toBe(first.final_step);
    const resumed = await readRun(second.path);
    expect(resumed.rows.map((r) => r._step)).toEqual(resumed.rows.map((_, i) => i));
  }, 180_000);
});
