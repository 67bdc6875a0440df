import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, RunlogError } from "@runlog/core";
import { tempRoot } from "@runlog/test-support/temp-root";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importRuns } from "../import-runs.js";
import { type MlflowRunView, makeMlflowRuns, readWithMlflow } from "../test-support/mlflow-oracle.js";
import { importMlflow } from "./import-mlflow.js";

let work: string;
/** The same runs logged by the real mlflow into a file store and into SQLite. */
const stores: Record<"file store" | "sqlite", { path: string; uri: string; oracle: Record<string, Record<string, MlflowRunView>> }> =
  {} as never;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "runlog-mlflow-"));
  mkdirSync(join(work, "fs"));
  mkdirSync(join(work, "db"));
  const fileUri = `file://${join(work, "fs", "mlruns")}`;
  const sqliteUri = `sqlite:///${join(work, "db", "mlflow.db")}`;
  // The SQLite store puts artifacts under ./mlruns of its working directory: one folder each.
  await Promise.all([makeMlflowRuns(fileUri, join(work, "fs")), makeMlflowRuns(sqliteUri, join(work, "db"))]);
  stores["file store"] = { path: join(work, "fs", "mlruns"), uri: fileUri, oracle: readWithMlflow(fileUri) };
  stores.sqlite = { path: sqliteUri, uri: sqliteUri, oracle: readWithMlflow(sqliteUri) };
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function rowsOf(root: string, path: string) {
  const run = await new Api({ dir: root }).run(path);
  const rows: Record<string, unknown>[] = [];
  for await (const row of run.scanHistory()) rows.push(row);
  return { run, rows };
}

/** A value as read_mlflow.py writes it (NaN and infinities as strings). */
function asOracle(value: unknown): unknown {
  if (typeof value !== "number") return value;
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

const STATE = { FINISHED: "finished", FAILED: "failed", KILLED: "killed" } as Record<string, string>;

describe.each(["file store", "sqlite"] as const)("importMlflow from the %s of the real mlflow 3.17.2", (kind) => {
  it("imports every active run with the params, metric histories (step, time, value), tags, status and artifacts MlflowClient reads", async () => {
    const { path, oracle } = stores[kind];
    const root = tempRoot();
    const report = await importRuns("mlflow", path, { dir: root, entity: "e" });
    expect(Object.keys(oracle).sort()).toEqual(["Default", "audio", "vision exp"]);
    const expectedRuns = Object.entries(oracle).flatMap(([experiment, runs]) => Object.keys(runs).map((id) => `${experiment}/${id}`));
    expect(report.runs.map((run) => `${run.project}/${run.id}`).sort()).toEqual(expectedRuns.sort());
    expect(report.unmapped).toEqual({ "mlflow: deleted runs": 1 });

    for (const [experiment, runs] of Object.entries(oracle)) {
      for (const [id, want] of Object.entries(runs)) {
        const { run, rows } = await rowsOf(root, `e/${experiment}/${id}`);
        expect([run.name, run.state], id).toEqual([want.name, STATE[want.status]]);
        expect(run.config).toEqual(want.params);
        expect(run.createdAt).toBe(want.start_time / 1000);
        expect(run.runtime).toBeCloseTo(((want.end_time as number) - want.start_time) / 1000, 6);
        const metadata = run.metadata as { mlflow: { tags: Record<string, string>; status: string } };
        expect(metadata.mlflow.tags).toEqual(want.tags);
        const userTags = Object.entries(want.tags).filter(([key]) => !key.startsWith("mlflow."));
        expect([...run.tags].sort()).toEqual(userTags.map(([key, value]) => `${key}=${value}`).sort());
        expect(run.notes).toBe(want.tags["mlflow.note.content"]);
        // Every metric value at its step; the row's time is the first value logged at that step.
        for (const [key, points] of Object.entries(want.metrics)) {
          const ordered = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          const mine = rows.filter((row) => key in row).map((row) => [row._step, asOracle(row[key])]);
          expect(mine, key).toEqual(ordered.map(([step, , value]) => [step, value]));
        }
        const firstAt = new Map<number, number>();
        for (const points of Object.values(want.metrics))
          for (const [step, at] of points) firstAt.set(step, Math.min(at, firstAt.get(step) ?? at));
        expect(rows.map((row) => [row._step, Math.round((row._timestamp as number) * 1000)])).toEqual(
          [...firstAt].sort(([a], [b]) => a - b),
        );
        const files = (await run.files()).map((file) => file.path).sort();
        expect(files).toEqual(want.artifacts);
      }
    }
    const vision = oracle["vision exp"] as Record<string, MlflowRunView>;
    const parentId = Object.keys(vision).find((id) => vision[id]?.name === "parent") as string;
    const childId = Object.keys(vision).find((id) => vision[id]?.name === "child") as string;
    const { run: parent, rows } = await rowsOf(root, `e/vision exp/${parentId}`);
    const { run: child } = await rowsOf(root, `e/vision exp/${childId}`);
    // Nested runs: the child's group is its parent's id, and the parent is in the same group.
    expect([parent.group, child.group]).toEqual([parentId, parentId]);
    // Several metrics at one step are one row; NaN and infinities kept; the long series whole.
    expect(rows.find((row) => row._step === 2)).toMatchObject({ loss: 1 / 3, acc: 0.4, "val/acc": 0.2, odd: Number.NaN });
    expect(rows.filter((row) => "long" in row)).toHaveLength(3000);
    // The script sets the commit; mlflow adds the repository's remote itself when the checkout has one.
    const parentTags = (vision[parentId] as MlflowRunView).tags;
    const remote = parentTags["mlflow.source.git.repoURL"];
    expect(parentTags["mlflow.source.git.commit"]).toBe("abc123");
    expect((parent.metadata as { git: unknown }).git).toEqual({ commit: "abc123", ...(remote ? { remote } : {}) });
    expect(readFileSync(parent.filePath("readme.txt"), "utf8")).toBe("hello artifacts");
    expect(JSON.parse(readFileSync(parent.filePath("nested/config.json"), "utf8"))).toEqual({ a: 1 });
  });

  it("adds nothing when the same store is imported again", async () => {
    const { path, oracle } = stores[kind];
    const root = tempRoot();
    importMlflow(path, { dir: root, entity: "e" });
    const vision = Object.keys(oracle["vision exp"] ?? {});
    const before = await Promise.all(vision.map((id) => rowsOf(root, `e/vision exp/${id}`).then((r) => r.rows)));
    const again = importMlflow(path, { dir: root, entity: "e" });
    expect(again.runs.every((run) => run.written === 0 && run.applied === 0)).toBe(true);
    expect([again.warnings, again.runs.filter((run) => run.skipped !== undefined)]).toEqual([[], []]);
    expect(again.runs).toHaveLength(Object.values(oracle).reduce((n, runs) => n + Object.keys(runs).length, 0));
    const after = await Promise.all(vision.map((id) => rowsOf(root, `e/vision exp/${id}`).then((r) => r.rows)));
    expect(after).toEqual(before);
  });
});

describe("importMlflow: importing a store again after it grew", () => {
  it("adds rows logged after the end, and warns naming the run and count for rows that appeared in the middle", async () => {
    const store = join(tempRoot(), "mlruns");
    cpSync(stores["file store"].path, store, { recursive: true });
    const oracle = stores["file store"].oracle["vision exp"] as Record<string, MlflowRunView>;
    const parentId = Object.keys(oracle).find((id) => oracle[id]?.name === "parent") as string;
    const experimentDir = readdirSync(store).find((name) => readdirSync(join(store, name)).includes(parentId)) as string;
    const metrics = join(store, experimentDir, parentId, "metrics");
    const root = tempRoot();
    const first = importMlflow(store, { dir: root, entity: "e" });
    expect(first.warnings).toEqual([]);
    // What MLflow's file store does on log_metric: a line appended to the key's file.
    appendFileSync(join(metrics, "long"), "1700000009000 9.5 5000\n"); // after the last step (3009)
    writeFileSync(join(metrics, "extra"), "1700000000007 1.5 7\n1700000000008 2.5 8\n"); // new rows between steps 4 and 10
    const again = importMlflow(store, { dir: root, entity: "e" });
    const parent = again.runs.find((run) => run.id === parentId);
    expect(parent?.skipped).toEqual({ rows: 2, points: 6, throughStep: 3009 });
    expect(again.warnings).toEqual([
      expect.stringContaining(`e/vision exp/${parentId}: the source changed inside what was imported before; 2 row(s)`),
    ]);
    expect(again.runs.filter((run) => run.skipped !== undefined)).toHaveLength(1);
    const { rows } = await rowsOf(root, `e/vision exp/${parentId}`);
    expect(
      rows
        .filter((row) => "long" in row)
        .map((row) => row._step)
        .slice(-2),
    ).toEqual([3009, 5000]);
    expect(rows.at(-1)?.long).toBe(9.5);
    expect(rows.filter((row) => row._step === 7 || row._step === 8)).toEqual([]);
    // The rows' count stays as imported: the appended row once, nothing doubled.
    expect(rows).toHaveLength(3006);
  });
});

describe("importMlflow: damaged and wrong inputs", () => {
  /** A copy of the file store to damage. */
  function copyOfFileStore(): string {
    const copy = join(tempRoot(), "mlruns");
    cpSync(stores["file store"].path, copy, { recursive: true });
    return copy;
  }

  function caught(run: () => unknown): RunlogError {
    let error: unknown;
    try {
      run();
    } catch (thrown) {
      error = thrown;
    }
    expect(RunlogError.isInstance(error)).toBe(true);
    return error as RunlogError;
  }

  function runFolders(store: string, experiment: string) {
    const oracle = stores["file store"].oracle[experiment] as Record<string, MlflowRunView>;
    const experimentDir = readdirSync(store).find((name) => readdirSync(join(store, name)).some((run) => run in oracle)) as string;
    const byName = (name: string) => join(store, experimentDir, Object.keys(oracle).find((id) => oracle[id]?.name === name) as string);
    return { oracle, byName };
  }

  it("a bad run meta.yaml: SOURCE_CORRUPT naming the file, the experiment's other runs imported", async () => {
    const store = copyOfFileStore();
    const { oracle, byName } = runFolders(store, "vision exp");
    // Runs are imported oldest first: damage the newest run of the experiment.
    const newest = Object.entries(oracle).sort(([, a], [, b]) => b.start_time - a.start_time)[0] as [string, MlflowRunView];
    const meta = join(byName(newest[1].name), "meta.yaml");
    writeFileSync(meta, "run_id: [unclosed\nstatus: 3\n");
    const root = tempRoot();
    const error = caught(() => importMlflow(store, { dir: root, entity: "e" }));
    expect(error.code).toBe("SOURCE_CORRUPT");
    expect(error.message).toContain(meta);
    expect(error.details).toEqual({ file: meta, offset: expect.any(Number) });
    // Every other run of the experiment was imported before the error.
    const imported = (await new Api({ dir: root }).runs("e/vision exp")).map((run) => run.name).sort();
    expect(imported).toEqual(["child", "parent"]);
  });

  it("a truncated metric file: SOURCE_CORRUPT naming the file and offset, every value before it imported", async () => {
    const store = copyOfFileStore();
    const { oracle, byName } = runFolders(store, "vision exp");
    const parentId = Object.keys(oracle).find((id) => oracle[id]?.name === "parent") as string;
    const file = join(byName("parent"), "metrics", "long");
    const lines = readFileSync(file, "utf8").split("\n");
    const cut = lines.slice(0, 100).join("\n").length + 1 + 7; // seven bytes into the 101st line
    truncateSync(file, cut);
    expect(statSync(file).size).toBe(cut);
    const root = tempRoot();
    const error = caught(() => importMlflow(store, { dir: root, entity: "e" }));
    expect(error.code).toBe("SOURCE_CORRUPT");
    expect(error.details).toEqual({ file, offset: cut - 7 });
    expect(error.message).toContain(`${file} is damaged at byte ${cut - 7}`);
    const { rows, run } = await rowsOf(root, `e/vision exp/${parentId}`);
    expect(rows.filter((row) => "long" in row).map((row) => row._step)).toEqual(Array.from({ length: 100 }, (_, i) => 10 + i));
    expect(rows.filter((row) => "loss" in row)).toHaveLength(5);
    expect(run.config).toEqual({ lr: "0.01", optimizer: "adam", layers: "3" });
  });

  it("a SQLite database that is not MLflow's, and a .db file that is not SQLite, name the file", () => {
    const other = join(tempRoot(), "other.db");
    const db = new Database(other);
    db.exec("CREATE TABLE runs (id TEXT)");
    db.close();
    const wrong = caught(() => importMlflow(`sqlite:///${other}`, { dir: tempRoot() }));
    expect(wrong.code).toBe("INVALID_ARGUMENT");
    expect(wrong.message).toContain(`${other} is a SQLite database but not an MLflow tracking store`);
    const garbage = join(tempRoot(), "garbage.db");
    writeFileSync(garbage, Buffer.alloc(8192, 7));
    const notSqlite = caught(() => importMlflow(garbage, { dir: tempRoot() }));
    expect(notSqlite.code).toBe("SOURCE_CORRUPT");
    expect(notSqlite.details).toEqual({ file: garbage });
    expect(caught(() => importMlflow(join(tempRoot(), "nothing-here"))).code).toBe("INVALID_ARGUMENT");
  });
});
