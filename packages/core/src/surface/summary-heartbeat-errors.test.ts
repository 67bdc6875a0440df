import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { RunlogError } from "../errors.js";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";

// Public surface the spec lists that had no test of its own (issue 24): each case reads back
// through the store or a second copy of the package, so a broken method cannot pass.

const CORE_DIST = join(import.meta.dirname, "..", "..", "dist");

/** The user's keys of a summary (W&B also keeps _step, _runtime, _timestamp there). */
function userKeys(summary: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(summary).filter(([key]) => !key.startsWith("_")));
}

describe("summary.update / delete / toJSON on a real run", () => {
  it("stores updates, forgets deleted keys, and a refused update changes nothing", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.log({ loss: 0.9 });
    run.log({ loss: 0.4 });
    run.summary.update({ best: 0.4, note: "kept", nested: { a: 1 } });
    expect(run.summary.delete("note")).toBe(true);
    expect(run.summary.delete("never-set")).toBe(false);
    expect(() => run.summary.update({ ok: 1, bad: () => 1 })).toThrow(RunlogError);
    expect(run.summary.toJSON()._step).toBe(1);
    expect(userKeys(run.summary.toJSON())).toEqual({ loss: 0.4, best: 0.4, nested: { a: 1 } });
    expect(userKeys(JSON.parse(JSON.stringify(run.summary)))).toEqual({ loss: 0.4, best: 0.4, nested: { a: 1 } });
    await run.finish();

    const api = new Api({ dir: root });
    try {
      const stored = await api.run(run.path);
      expect(userKeys(stored.summary)).toEqual({ loss: 0.4, best: 0.4, nested: { a: 1 } });
    } finally {
      api.close();
    }
  });
});

describe("ApiRun.heartbeatAt", () => {
  it("advances while the run is alive and is never before createdAt", async () => {
    const root = tempRoot();
    // crashTimeout 1 s → the store worker beats every 1/3 s.
    const run = await initIn(root, { settings: { crashTimeout: 1 } });
    const read = async () => {
      const api = new Api({ dir: root });
      try {
        const stored = await api.run(run.path);
        return { createdAt: stored.createdAt, heartbeatAt: stored.heartbeatAt, state: stored.state };
      } finally {
        api.close();
      }
    };
    // The store worker writes the run's row shortly after init() returns.
    run.log({ x: 1 });
    await expect
      .poll(
        async () =>
          await read().then(
            () => true,
            () => false,
          ),
        { timeout: 15_000, interval: 50 },
      )
      .toBe(true);
    const first = await read();
    expect(first.heartbeatAt).toBeGreaterThanOrEqual(first.createdAt);
    await expect.poll(async () => (await read()).heartbeatAt, { timeout: 15_000, interval: 100 }).toBeGreaterThan(first.heartbeatAt);
    expect((await read()).state).toBe("running");
    await run.finish();
  });
});

describe("RunlogError.isInstance across two copies of the package", () => {
  it("recognises an error thrown by another copy on disk, where instanceof does not", async () => {
    const root = tempRoot();
    const copies = ["copy-a", "copy-b"].map((name) => {
      const dir = join(root, name, "node_modules", "@runlog", "core");
      mkdirSync(dir, { recursive: true });
      cpSync(CORE_DIST, join(dir, "dist"), { recursive: true });
      cpSync(join(CORE_DIST, "..", "package.json"), join(dir, "package.json"));
      return join(dir, "dist", "errors.js");
    });
    const [a, b] = (await Promise.all(copies.map((file) => import(pathToFileURL(file).href)))) as {
      RunlogError: typeof RunlogError;
    }[];
    if (a === undefined || b === undefined) throw new Error("both copies load");
    expect(a.RunlogError).not.toBe(b.RunlogError);

    const fromB = new b.RunlogError("INVALID_ARGUMENT", "from copy b");
    expect(fromB instanceof a.RunlogError).toBe(false);
    expect(a.RunlogError.isInstance(fromB)).toBe(true);
    expect(RunlogError.isInstance(fromB)).toBe(true);
    expect(b.RunlogError.isInstance(new RunlogError("RUN_NOT_FOUND", "from source"))).toBe(true);
    // Look-alikes are not RunlogErrors.
    expect(a.RunlogError.isInstance(Object.assign(new Error("x"), { name: "RunlogError", code: "NOT_FOUND" }))).toBe(false);
    expect(a.RunlogError.isInstance(null)).toBe(false);
  });
});
