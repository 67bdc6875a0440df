import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { initIn, readHistory } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { Histogram } from "./histogram.js";
import { Image } from "./image.js";
import { plot } from "./plots.js";
import { MAX_RUN_ROWS, Table } from "./table.js";

const rowsOf = (chart: { table: Table }) => chart.table.data;

describe("plots: hand-computed cases", () => {
  // Scores sorted: 0.9 (pos), 0.8 (neg), 0.8 (pos) — a tie across classes — 0.3 (pos), 0.1 (neg).
  const yTrue = [1, 0, 1, 1, 0];
  const scores = [0.9, 0.8, 0.8, 0.3, 0.1];

  it("prCurve: one point per distinct score, the tie as a single step", () => {
    expect(rowsOf(plot.prCurve(yTrue, scores))).toEqual([
      ["1", 1 / 3, 1],
      ["1", 2 / 3, 2 / 3],
      ["1", 1, 3 / 4],
      ["1", 1, 3 / 5],
    ]);
  });

  it("rocCurve: from (0,0) to (1,1), the tie moving both rates at once", () => {
    expect(rowsOf(plot.rocCurve(yTrue, scores))).toEqual([
      ["1", 0, 0],
      ["1", 0, 1 / 3],
      ["1", 1 / 2, 2 / 3],
      ["1", 1 / 2, 1],
      ["1", 1, 1],
    ]);
  });

  it("single-class inputs: PR with only positives has precision 1; ROC and PR without the needed classes refuse clearly", () => {
    expect(rowsOf(plot.prCurve([1, 1], [0.7, 0.2])).map((r) => r[2])).toEqual([1, 1]);
    expect(() => plot.rocCurve([1, 1], [0.7, 0.2])).toThrowError(/both positive and negative/);
    expect(() => plot.prCurve([0, 0], [0.7, 0.2])).toThrowError(/recall is undefined/);
  });

  it("multi-class one-vs-rest curves use the labels; a class that never occurs is skipped", () => {
    const probas = [
      [0.8, 0.1, 0.1],
      [0.2, 0.7, 0.1],
      [0.3, 0.3, 0.4],
    ];
    const pr = rowsOf(plot.prCurve([0, 1, 1], probas, { labels: ["cat", "dog", "bird"] }));
    expect(new Set(pr.map((r) => r[0]))).toEqual(new Set(["cat", "dog"]));
    expect(pr.filter((r) => r[0] === "cat")).toEqual([
      ["cat", 1, 1],
      ["cat", 1, 1 / 2],
      ["cat", 1, 1 / 3],
    ]);
  });

  it("confusionMatrix counts every (actual, predicted) pair", () => {
    const rows = rowsOf(plot.confusionMatrix([0, 1, 2, 2], [0, 2, 2, 1], { classNames: ["a", "b", "c"] }));
    expect(rows).toHaveLength(9);
    const count = (a: string, p: string) => rows.find((r) => r[0] === a && r[1] === p)?.[2];
    expect([count("a", "a"), count("b", "c"), count("c", "c"), count("c", "b"), count("b", "b")]).toEqual([1, 1, 1, 1, 0]);
    expect(() => plot.confusionMatrix([0, 3], [0, 1], { classNames: ["a", "b"] })).toThrowError(/class indices/);
  });

  it("refuses non-finite and mismatched inputs", () => {
    expect(() => plot.prCurve([1, 0], [0.5, Number.NaN])).toThrowError(/finite/);
    expect(() => plot.rocCurve([1, 0], [0.5])).toThrowError(/one entry per label/);
    expect(() => plot.lineSeries([0, 1], [[1]])).toThrowError(/1 values for 2 xs/);
    expect(() => plot.line(new Table({ columns: ["x"] }), "x", "y")).toThrowError(/no column "y"/);
  });
});

describe("Table", () => {
  it("builds from columns/data or objects, adds rows and columns, and infers column types", () => {
    const table = Table.fromObjects([
      { epoch: 1, note: "a" },
      { epoch: 2, ok: true },
    ]);
    expect(table.columns).toEqual(["epoch", "note", "ok"]);
    expect(table.getColumn("note")).toEqual(["a", null]);
    table.addRow(3, null, false);
    table.addColumn("hist", [new Histogram([1, 2]), null, new Histogram([3])]);
    expect(table.columnTypes()).toEqual({ epoch: "number", note: "string", ok: "boolean", hist: "histogram" });
    expect(() => table.addRow(1, 2)).toThrowError(/2 values for 4 columns/);
    expect(() => new Table({ columns: ["a", "a"] })).toThrowError(/distinct/);
    expect(() => table.addColumn("epoch", [1, 2, 3])).toThrowError(/already used/);
  });

  it("logs as a table file with media cells and a chart value; over 10,000 rows is refused, other values kept", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const table = new Table({
      columns: ["id", "picture"],
      data: [
        [1, new Image(new Uint8Array([0, 255]), { shape: [1, 2] })],
        [2, null],
      ],
    });
    const big = new Table({ columns: ["i"], data: Array.from({ length: MAX_RUN_ROWS + 1 }, (_, i) => [i]) });
    expect(() => run.log({ loss: 0.5, predictions: table, big })).toThrowError(/10000-row limit.*artifact/);
    run.log({ roc: plot.rocCurve([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.2]) });
    await run.finish();
    const [first, second] = await readHistory(root, run.path);
    expect(first?.loss).toBe(0.5);
    const ref = first?.predictions as { _type: string; path: string; nrows: number; ncols: number };
    expect(ref).toMatchObject({ _type: "table-file", nrows: 2, ncols: 2 });
    const stored = JSON.parse(readFileSync(join(run.dir, ref.path), "utf8"));
    expect(stored.columns).toEqual(["id", "picture"]);
    expect(stored.data[0][1]).toMatchObject({ _type: "image-file", width: 2, height: 1 });
    expect(stored.column_types).toEqual({ id: "number", picture: "image" });
    const chart = second?.roc as { _type: string; table: { path: string }; spec: { mark: { type: string } } };
    expect(chart).toMatchObject({ _type: "custom-chart", chart_id: "wandb/area-under-curve/v0", spec: { mark: { type: "line" } } });
    expect(JSON.parse(readFileSync(join(run.dir, chart.table.path), "utf8")).data[0]).toEqual(["1", 0, 0]);
  });
});

describe("Object3D and tables in artifacts", () => {
  it("stores point clouds as pts.json and model files as they are; refuses bad points", async () => {
    const { Object3D } = await import("./object3d.js");
    const { writeFileSync } = await import("node:fs");
    const root = tempRoot();
    const obj = join(root, "cube.obj");
    writeFileSync(obj, "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
    const run = await initIn(root);
    run.log({
      cloud: new Object3D(
        [
          [0, 0, 0],
          [1, 2, 3],
        ],
        { caption: "two points" },
      ),
      mesh: new Object3D(obj),
    });
    await run.finish();
    const [row] = await readHistory(root, run.path);
    const cloud = row?.cloud as { _type: string; path: string; caption: string };
    expect(cloud).toMatchObject({ _type: "object3D-file", caption: "two points" });
    expect(cloud.path).toMatch(/\.pts\.json$/);
    expect(JSON.parse(readFileSync(join(run.dir, cloud.path), "utf8")).points).toEqual([
      [0, 0, 0],
      [1, 2, 3],
    ]);
    expect(readFileSync(join(run.dir, (row as Record<string, { path: string }>).mesh?.path as string), "utf8")).toContain("f 1 2 3");
    expect(() => new Object3D([[0, 0]])).toThrowError(/\[x, y, z\]/);
    expect(() => new Object3D([[0, 0, Number.NaN]])).toThrowError(/finite/);
    expect(() => new Object3D(join(root, "x.png"))).toThrowError(/obj, gltf/);
  });

  it("artifact.add stores a table over the run limit (with its media) and it downloads intact", async () => {
    const { Artifact } = await import("../artifacts/artifact.js");
    const root = tempRoot();
    const run = await initIn(root);
    const table = new Table({ columns: ["i", "thumb"], data: Array.from({ length: 15_000 }, (_, i) => [i, null]) });
    table.addRow(15_000, new Image(new Uint8Array([7]), { shape: [1, 1] }));
    const artifact = new Artifact("eval-table", "dataset");
    expect(artifact.add(table, "predictions")).toBe("predictions.table.json");
    const logged = await run.logArtifact(artifact);
    const entries = Object.keys(logged.manifest.contents);
    expect(entries).toContain("predictions.table.json");
    expect(entries.some((e) => e.startsWith("media/images/"))).toBe(true);
    const dir = await logged.download({ root: join(root, "dl") });
    const stored = JSON.parse(readFileSync(join(dir, "predictions.table.json"), "utf8"));
    expect(stored.data).toHaveLength(15_001);
    expect(readFileSync(join(dir, stored.data[15_000][1].path)).subarray(1, 4).toString()).toBe("PNG");
    await run.finish();
  });
});

describe("Table log modes", () => {
  it("immutable freezes once logged; mutable re-logs whole; incremental logs only new rows, numbered", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const frozen = new Table({ columns: ["a"], data: [[1]] });
    const mutable = new Table({ columns: ["a"], data: [[1]], logMode: "mutable" });
    const incremental = new Table({ columns: ["a"], data: [[1], [2]], logMode: "incremental" });
    run.log({ frozen, mutable, incremental });
    expect(() => frozen.addRow(2)).toThrowError(/immutable.*cannot change/);
    expect(() => frozen.addColumn("b", [0])).toThrowError(/immutable/);
    mutable.addRow(2);
    incremental.addRow(3);
    expect(() => incremental.addColumn("b", [0, 0, 0])).toThrowError(/cannot gain columns/);
    run.log({ mutable, incremental });
    await run.finish();
    const [first, second] = await readHistory(root, run.path);
    const rows = (ref: unknown) => JSON.parse(readFileSync(join(run.dir, (ref as { path: string }).path), "utf8")).data;
    expect(rows(second?.mutable)).toEqual([[1], [2]]);
    expect(first?.incremental).toMatchObject({ _type: "incremental-table-file", increment: 0, nrows: 2, total_rows: 2 });
    expect(second?.incremental).toMatchObject({ _type: "incremental-table-file", increment: 1, nrows: 1, total_rows: 3 });
    expect(rows(second?.incremental)).toEqual([[3]]);
    expect(rows(first?.frozen)).toEqual([[1]]);
  });
});
