import { describe, expect, it } from "vitest";
import { openStoreReader } from "../store/open-reader.js";
import { initIn, userColumns } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { encodeJson } from "../util/json.js";
import { Api } from "./api.js";
import type { HistoryRow } from "./api-run.js";
import { scanRows, scanRowsJson } from "./history-scan.js";

const STEPS = 4_000;
const GAP = [1_500, 2_100] as const; // no rows logged at these steps

/** What each step logged: keys that start, stop, skip and gap across chunk (1,024-point) and page edges. */
function logged(step: number): Record<string, unknown> | undefined {
  if (step >= GAP[0] && step < GAP[1]) return undefined;
  const row: Record<string, unknown> = { dense: step * 0.5 };
  if (step < 100) row.early = -step;
  if (step >= 3_000) row.late = step;
  if (step % 37 === 0) row.sparse = step % 74 === 0 ? Number.NaN : Number.POSITIVE_INFINITY;
  if (step % 13 === 0) row.note = `n${step}`;
  return row;
}

async function scan(root: string, path: string, options: Parameters<import("./api-run.js").ApiRun["scanHistory"]>[0]) {
  const api = new Api({ dir: root });
  try {
    const rows: HistoryRow[] = [];
    for await (const row of (await api.run(path)).scanHistory(options)) rows.push(row);
    return rows;
  } finally {
    api.close();
  }
}

describe("scanHistory (each chunk read once per scan)", () => {
  it("yields every logged row exactly, whatever the page size, window or key filter", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    for (let step = 0; step < STEPS; step++) {
      const row = logged(step);
      if (row !== undefined) run.log(row, { step });
    }
    await run.finish();
    const expected = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => from + i).flatMap((step) => {
        const row = logged(step);
        return row === undefined ? [] : [{ _step: step, ...row }];
      });
    const full = await scan(root, run.path, { pageSize: 777 });
    expect(userColumns(full)).toEqual(expected(0, STEPS - 1));
    expect(full.every((row) => typeof row._runtime === "number" && typeof row._timestamp === "number")).toBe(true);
    // One page, many pages, one row a page across a gap and a chunk edge: the same rows.
    expect(await scan(root, run.path, { pageSize: 100_000 })).toEqual(full);
    expect(userColumns(await scan(root, run.path, { pageSize: 1, minStep: 1_020, maxStep: 1_030 }))).toEqual(expected(1_020, 1_030));
    expect(userColumns(await scan(root, run.path, { pageSize: 7, minStep: 1_490, maxStep: 2_110 }))).toEqual(expected(1_490, 2_110));
    // Keys: only rows holding one, with only those keys (and the row's time).
    const late = await scan(root, run.path, { keys: ["late", "note"], pageSize: 300, minStep: 2_990 });
    expect(late.map((row) => row._step)).toEqual(
      expected(2_990, STEPS - 1).flatMap((row) => ("late" in row || "note" in row ? [row._step] : [])),
    );
    expect(late.every((row) => !("dense" in row) && ("late" in row || "note" in row))).toBe(true);
    const early = await scan(root, run.path, { keys: ["early"], pageSize: 30 });
    expect(early.map((row) => row.early)).toEqual(Array.from({ length: 100 }, (_, i) => -i));
    // Nothing in the window, or past the end.
    expect(await scan(root, run.path, { minStep: GAP[0], maxStep: GAP[1] - 1 })).toEqual([]);
    expect(await scan(root, run.path, { minStep: STEPS })).toEqual([]);
  });

  it("stops reading when the caller stops, and refuses a bad page size with INVALID_ARGUMENT", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    for (let step = 0; step < 3_000; step++) run.log({ a: step });
    await run.finish();
    const api = new Api({ dir: root });
    const stored = await api.run(run.path);
    const first: number[] = [];
    for await (const row of stored.scanHistory({ pageSize: 50 })) {
      first.push(row.a as number);
      if (first.length === 1_100) break;
    }
    expect(first).toEqual(Array.from({ length: 1_100 }, (_, i) => i));
    for (const pageSize of [0, -1, 1.5, Number.NaN]) {
      await expect(stored.scanHistory({ pageSize }).next()).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    }
    api.close();
  });

  it("scanRowsJson writes exactly encodeJson(row) of every row: tagged NaN/±Infinity, -0, stored values, escaped keys", async () => {
    for (const oddKey of [undefined, "7", "__proto__"]) {
      const root = tempRoot();
      const run = await initIn(root);
      for (let step = 0; step < 2_300; step++) {
        const row: Record<string, unknown> = { 'q"uote\\back': step % 5 === 0 ? -0 : step / 7, "ünï/cødé 🚀": step };
        if (step % 11 === 0) row.special = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][step % 3];
        if (step % 17 === 0) row.caption = { text: `c${step}`, nested: [1, null, "null"] };
        if (step % 19 === 0) row.big = Number.MAX_VALUE;
        if (oddKey !== undefined && step % 3 === 0) row[oddKey] = step;
        if (step % 500 !== 1) run.log(row, { step });
      }
      await run.finish();
      const reader = openStoreReader({ dir: root });
      try {
        const view = await reader.getRun("tester", "test", run.id);
        if (view === undefined) throw new Error("run not found");
        for (const [pageSize, from, until] of [
          [333, 0, Number.MAX_SAFE_INTEGER],
          [5_000, 1_000, 2_000],
          [1, 1_022, 1_026],
        ] as const) {
          const expected: { step: number; json: string }[] = [];
          for await (const row of scanRows(reader, view, { pageSize, from, until }))
            expected.push({ step: row._step, json: encodeJson(row) });
          const got: { step: number; json: string }[] = [];
          for await (const row of scanRowsJson(reader, view, { pageSize, from, until })) got.push(row);
          expect(got.length).toBeGreaterThan(0);
          expect(got).toEqual(expected);
        }
      } finally {
        reader.close();
      }
    }
  });
});
