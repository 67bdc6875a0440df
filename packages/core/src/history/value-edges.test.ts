import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { RunlogError } from "../errors.js";
import { initIn, readHistory, userColumns } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";

/** The error `fn` throws (the test fails if it returns). */
function thrown(fn: () => unknown): RunlogError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(RunlogError.isInstance(caught), `not a RunlogError: ${String(caught)}`).toBe(true);
  return caught as RunlogError;
}

// Input edge cases found by fuzzing (each seen on main before the shared value rule, util/plain-value.ts).
describe("value edge cases of log, config and summary", () => {
  it("an invalid Date inside an array is refused as INVALID_VALUE; the call's other values are still logged", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    // main: a raw RangeError ("Invalid time value") and the whole call was dropped.
    expect(thrown(() => run.log({ ok: 1, when: [new Date(0), new Date(Number.NaN)] }))).toMatchObject({
      code: "INVALID_VALUE",
      message: expect.stringContaining('"when[1]"'),
    });
    expect(thrown(() => run.config.update({ at: new Date(Number.NaN) })).code).toBe("INVALID_VALUE");
    // main: summary.set stored an invalid Date silently, read back as null.
    expect(thrown(() => run.summary.set("at", { nested: [new Date(Number.NaN)] })).code).toBe("INVALID_VALUE");
    run.log({ when: [new Date(0)] });
    await run.finish();
    expect(userColumns(await readHistory(root, run.path))).toEqual([
      { _step: 0, ok: 1 },
      { _step: 1, when: ["1970-01-01T00:00:00.000Z"] },
    ]);
  });

  it("keys holding a lone surrogate are refused everywhere; every listed key reads back through history", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    // main: "x\ud800" was listed by historyKeys() as "x\ufffd\ufffd\ufffd" and history({ keys }) found nothing under it.
    expect(thrown(() => run.log({ "x\ud800": 1, "y\udc00z": "s", ok: 2 })).code).toBe("INVALID_VALUE");
    expect(thrown(() => run.log({ nested: { "k\ud800": 1 } })).code).toBe("INVALID_VALUE");
    expect(thrown(() => run.log({ list: [{ "k\udfff": 1 }] })).code).toBe("INVALID_VALUE");
    expect(thrown(() => run.config.update({ "c\ud800": 1 })).code).toBe("INVALID_ARGUMENT");
    expect(thrown(() => run.config.update({ c: { "d\ud800": 1 } })).code).toBe("INVALID_VALUE");
    expect(thrown(() => run.summary.set("s\ud800", 1)).code).toBe("INVALID_ARGUMENT");
    // Well-formed pairs (emoji) and lone surrogates inside string values are kept exactly.
    run.log({ "🚀/loss": 0.5, text: "half \ud800 of a pair" });
    run.summary.set("note", "lone \udc00");
    await run.finish();
    const api = new Api({ dir: root });
    try {
      const stored = await api.run(run.path);
      const keys = await stored.historyKeys();
      expect(keys.filter((k) => !k.startsWith("_")).sort()).toEqual(["ok", "text", "🚀/loss"]);
      for (const key of keys) {
        const rows = await stored.history({ keys: [key] });
        expect([key, rows.length > 0 && rows.every((row) => key in row)]).toEqual([key, true]);
      }
      expect((await stored.history({ keys: ["text"] }))[0]?.text).toBe("half \ud800 of a pair");
      expect(stored.summary.note).toBe("lone \udc00");
      expect(Object.keys(stored.config).some((k) => /\p{Cs}/u.test(k))).toBe(false);
    } finally {
      api.close();
    }
  });

  it('a "__proto__" key (JSON.parse makes one) is refused everywhere; main listed it and dropped its value', async () => {
    const root = tempRoot();
    const run = await initIn(root);
    // main: log listed "__proto__" in historyKeys() but no row held it; config and summary dropped it silently.
    expect(thrown(() => run.log(JSON.parse('{"__proto__": 1, "ok": 2}'))).code).toBe("INVALID_VALUE");
    expect(thrown(() => run.log(JSON.parse('{"list": [{"__proto__": 1}]}'))).code).toBe("INVALID_VALUE");
    expect(thrown(() => run.config.update(JSON.parse('{"__proto__": {"lr": 1}}'))).code).toBe("INVALID_ARGUMENT");
    expect(thrown(() => run.summary.update(JSON.parse('{"__proto__": 5}'))).code).toBe("INVALID_ARGUMENT");
    expect(thrown(() => run.log(JSON.parse('{"x": {"__proto__": {"y": 2}}}'))).code).toBe("INVALID_VALUE"); // at any level
    await run.finish();
    const api = new Api({ dir: root });
    try {
      const stored = await api.run(run.path);
      expect((await stored.historyKeys()).filter((k) => !k.startsWith("_"))).toEqual(["ok"]);
      expect(userColumns(await readHistory(root, run.path))).toEqual([{ _step: 0, ok: 2 }, { _step: 1 }, { _step: 2 }]);
      expect(Object.keys(stored.config)).not.toContain("__proto__");
    } finally {
      api.close();
    }
  });

  it("log(…, { step: NaN }) names NaN in its message (main said 'got null')", async () => {
    const run = await initIn(tempRoot());
    for (const [step, shown] of [
      [Number.NaN, "got NaN"],
      [Number.POSITIVE_INFINITY, "got Infinity"],
      [-0.5, "got -0.5"],
    ] as const) {
      expect(thrown(() => run.log({ a: 1 }, { step }))).toMatchObject({
        code: "INVALID_ARGUMENT",
        message: expect.stringContaining(shown),
      });
    }
    await run.finish();
  });

  it("an object that contains itself is a cycle at its root too (main logged 32 nested copies, self.self.…)", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const data: Record<string, unknown> = { loss: 1 };
    data.self = data;
    expect(thrown(() => run.log(data))).toMatchObject({ code: "INVALID_VALUE", message: expect.stringContaining("cycle") });
    await run.finish();
    expect(userColumns(await readHistory(root, run.path))).toEqual([{ _step: 0, loss: 1 }]);
  });

  it("when one call writes a key twice, the summary keeps the last value (main kept the first one's array stats)", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.log({ "w.x": new Float64Array(40).fill(1), w: { x: "replaced" } });
    await run.finish();
    const api = new Api({ dir: root });
    try {
      const stored = await api.run(run.path);
      expect(userColumns(await readHistory(root, run.path))).toEqual([{ _step: 0, "w.x": "replaced" }]);
      expect(stored.summary["w.x"]).toBe("replaced");
    } finally {
      api.close();
    }
  });

  it("a throwing getter in a logged object is INVALID_VALUE, not a raw error; what was read before it is logged", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const hostile = {
      first: 1,
      get second(): number {
        throw new TypeError("getter exploded");
      },
    };
    expect(thrown(() => run.log(hostile)).code).toBe("INVALID_VALUE");
    expect(thrown(() => run.log({ nested: hostile })).code).toBe("INVALID_VALUE");
    // config and summary too (main: the raw TypeError), and nothing of the refused call is kept.
    expect(thrown(() => run.config.update(hostile)).code).toBe("INVALID_VALUE");
    expect(thrown(() => run.config.update({ c: hostile })).code).toBe("INVALID_VALUE");
    expect(thrown(() => run.config.setDefaults(hostile)).code).toBe("INVALID_VALUE");
    expect(thrown(() => run.summary.update(hostile)).code).toBe("INVALID_VALUE");
    expect(thrown(() => run.summary.set("s", hostile)).code).toBe("INVALID_VALUE");
    const fakeMap = Object.create(Map.prototype) as Map<string, unknown>;
    expect(thrown(() => run.config.update(fakeMap)).code).toBe("INVALID_VALUE");
    expect(run.config.toJSON()).toEqual({});
    expect(run.summary.get("s")).toBeUndefined();
    expect(run.summary.get("second")).toBeUndefined();
    run.log({ after: 1 });
    await run.finish();
    expect(userColumns(await readHistory(root, run.path))).toEqual([
      { _step: 0, first: 1 },
      { _step: 1, "nested.first": 1 },
      { _step: 2, after: 1 },
    ]);
  });
});
