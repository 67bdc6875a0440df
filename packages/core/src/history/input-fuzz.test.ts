import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { RunlogError } from "../errors.js";
import { initIn } from "../test-support/runs.js";
import { seededRandom } from "../test-support/seeded-random.js";
import { tempRoot } from "../test-support/temp-root.js";
import { badKey, expectedLogLeaves, matches, REFUSED, stored } from "../test-support/value-oracle.js";

/**
 * Seeded fuzz of run.log, config.update and summary.update inputs. Every call either succeeds
 * and what it stored reads back through the real Api exactly as the value rule documents
 * (test-support/value-oracle.ts, an independent model), or throws a RunlogError with a stable
 * code; never a raw error, and nothing logged before is lost. Re-run one seed with
 * RUNLOG_FUZZ_SEED=<n>; a failure names its seed and call.
 */
const SEEDS = process.env.RUNLOG_FUZZ_SEED ? [Number(process.env.RUNLOG_FUZZ_SEED)] : [1, 2, 3, 20261203];
const CALLS = 60;
const CODES = new Set(["INVALID_VALUE", "INVALID_ARGUMENT", "VALUE_TOO_LARGE", "CONFIG_VALUE_CHANGE"]);

const KEYS = [
  "constructor",
  "toString",
  "__proto__",
  "a",
  "b",
  "lr",
  "x.y",
  "d/e",
  "🚀",
  "ключ",
  "1",
  "07",
  "a.b",
  "-dash-",
  "",
  "k\ud800",
  "\udc00z",
  "_step",
  "k".repeat(1100),
];
const HUGE_LOG = "h".repeat((1 << 20) + 10);
// Two of these fit in config's 10 MB, a third never does: sizes stay far from the limit.
const HUGE_CONFIG = "c".repeat(3_500_000);

class Values {
  constructor(readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  key(): string {
    return this.random() < 0.9 ? (this.pick(KEYS.slice(0, 14)) as string) : this.pick(KEYS);
  }
  leaf(huge: string): unknown {
    const choices: (() => unknown)[] = [
      () => this.random() * 10 - 5,
      () => this.pick([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, Number.MAX_VALUE, 5e-324]),
      () => this.pick([3n, -(2n ** 53n), 2n ** 70n, -(2n ** 64n)]),
      () => this.pick(["", "text", "emoji 🚀", "lone \ud800 half", "\udc00", 'quote " and \\ back']),
      () => (this.random() < 0.15 ? huge : "s"),
      () => this.random() < 0.5,
      () => this.pick([null, undefined]),
      () => (this.random() < 0.8 ? new Date(Date.UTC(2020, this.int(12), 1 + this.int(28))) : new Date(Number.NaN)),
      () =>
        this.pick([
          () => new Float32Array([0.1, -0, Number.NaN]),
          () => new Int8Array(40).map((_, i) => i - 20),
          () => new BigInt64Array([1n, 2n ** 60n]),
          () => new Float64Array(33).fill(1.5),
          () => new Uint8Array(0),
        ])(),
    ];
    // One leaf in 25 is something no store can hold.
    if (this.random() < 0.04)
      return this.pick([() => 1, Symbol("s"), new (class Model {})(), new WeakMap(), new DataView(new ArrayBuffer(2))]);
    return this.pick(choices)();
  }
  value(depth: number, huge: string): unknown {
    const roll = this.random();
    if (depth > 3 || roll < 0.55) return this.leaf(huge);
    if (roll < 0.7) return Array.from({ length: this.int(4) }, () => this.value(depth + 1, huge));
    if (roll < 0.78)
      return new Map<unknown, unknown>(
        Array.from({ length: 1 + this.int(2) }, () => [this.random() < 0.9 ? this.key() : 7, this.leaf(huge)]),
      );
    if (roll < 0.8) return this.deep(huge);
    if (roll < 0.83) {
      const cyclic: Record<string, unknown> = { kept: 1 };
      cyclic[this.random() < 0.5 ? "self" : "list"] = this.random() < 0.5 ? cyclic : [cyclic];
      return cyclic;
    }
    if (roll < 0.84) return { [Symbol("key")]: 1, fine: 2 };
    if (roll < 0.85) {
      return {
        before: 1,
        get boom(): number {
          throw new TypeError("a getter that throws");
        },
      };
    }
    return this.object(depth + 1, huge);
  }
  deep(huge: string): unknown {
    let value: unknown = this.leaf(huge);
    for (let i = 0; i < 40; i++) value = this.random() < 0.8 ? { n: value } : [value];
    return value;
  }
  object(depth: number, huge: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    // defineProperty: "__proto__" becomes an own key, as JSON.parse makes it from user data.
    for (let i = 1 + this.int(4); i > 0; i--) {
      Object.defineProperty(out, this.key(), { value: this.value(depth, huge), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
}

/** What the run should hold; updated only from the oracle and from calls that succeeded. */
interface Model {
  rows: Map<string, unknown>[];
  config: Map<string, unknown>;
  summary: Map<string, unknown>;
}

function outcome(call: () => void): string | undefined {
  try {
    call();
    return undefined;
  } catch (error) {
    if (!RunlogError.isInstance(error)) return `raw ${String(error)}`;
    return CODES.has(error.code) ? error.code : `unexpected code ${error.code}`;
  }
}

function stepLog(values: Values, run: Awaited<ReturnType<typeof initIn>>, model: Model, where: string): void {
  const data: object = values.random() < 0.1 ? new Map([[values.key(), values.value(1, HUGE_LOG)]]) : values.object(0, HUGE_LOG);
  if (values.random() < 0.05) (data as Record<string, unknown>).self = data;
  const { leaves, refused } = expectedLogLeaves(data);
  const got = outcome(() => run.log(data as Record<string, unknown>));
  expect(got, `${where}: log`).toBe(refused > 0 ? "INVALID_VALUE" : undefined);
  const row = new Map<string, unknown>();
  for (const [key, value, summary] of leaves) {
    row.set(key, value);
    model.summary.set(key, summary);
  }
  model.rows.push(row);
}

function stepConfig(values: Values, run: Awaited<ReturnType<typeof initIn>>, model: Model, where: string): void {
  const update = values.object(1, HUGE_CONFIG);
  const allowValChange = values.random() < 0.5;
  let expected: string | undefined;
  const next = new Map<string, unknown>();
  for (const [raw, value] of Object.entries(update)) {
    const key = raw.replace(/^-+|-+$/g, "");
    if (key === "" || key.length > 1024 || badKey(key)) expected ??= "INVALID_ARGUMENT";
    const clean = storedOrRefused(value);
    if (clean === REFUSED) expected ??= "INVALID_VALUE";
    else if (expected === undefined && !allowValChange && model.config.has(key) && !matches(model.config.get(key), clean)) {
      expected = "CONFIG_VALUE_CHANGE";
    }
    next.set(key, clean);
  }
  const merged = new Map([...model.config, ...next]);
  const size = JSON.stringify(Object.fromEntries(merged), (_k, v) => (typeof v === "bigint" ? String(v) : v)).length;
  if (expected === undefined && size > 10 * 1024 * 1024) expected = "VALUE_TOO_LARGE";
  const got = outcome(() => run.config.update(update, { allowValChange }));
  // The first bad entry decides the code; several kinds in one call may be reported in either order.
  if (expected === undefined) expect(got, `${where}: config.update`).toBeUndefined();
  else expect(got, `${where}: config.update`).toMatch(/^(INVALID_VALUE|INVALID_ARGUMENT|CONFIG_VALUE_CHANGE|VALUE_TOO_LARGE)$/);
  if (got === undefined) model.config = merged;
}

function stepSummary(values: Values, run: Awaited<ReturnType<typeof initIn>>, model: Model, where: string): void {
  const update = values.object(1, HUGE_LOG);
  let refused = false;
  const next = new Map<string, unknown>();
  for (const [key, value] of Object.entries(update)) {
    const clean = storedOrRefused(value);
    if (key === "" || badKey(key) || clean === REFUSED) refused = true;
    next.set(key, clean);
  }
  const got = outcome(() => run.summary.update(update));
  if (refused) expect(got, `${where}: summary.update`).toMatch(/^(INVALID_VALUE|INVALID_ARGUMENT)$/);
  else expect(got, `${where}: summary.update`).toBeUndefined();
  if (got === undefined) for (const [key, value] of next) model.summary.set(key, value);
}

/** config and summary refuse a value whose getter throws as a whole. */
function storedOrRefused(value: unknown): unknown {
  try {
    return stored(value, "keep");
  } catch {
    return REFUSED;
  }
}

function userKeys(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !key.startsWith("_")));
}

describe("fuzzed input to log, config and summary", () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: every call succeeds as documented or throws a RunlogError; everything stored reads back`, async () => {
      const root = tempRoot();
      const run = await initIn(root);
      const values = new Values(seededRandom(seed));
      const model: Model = { rows: [], config: new Map(), summary: new Map() };
      for (let call = 0; call < CALLS; call++) {
        const where = `seed ${seed} (RUNLOG_FUZZ_SEED=${seed}), call ${call}`;
        const roll = values.random();
        if (roll < 0.6) stepLog(values, run, model, where);
        else if (roll < 0.8) stepConfig(values, run, model, where);
        else stepSummary(values, run, model, where);
      }
      await run.finish();
      const api = new Api({ dir: root });
      try {
        const stored = await api.run(run.path);
        const rows: Record<string, unknown>[] = [];
        for await (const row of stored.scanHistory()) rows.push(row);
        expect(rows.length, `seed ${seed}: rows`).toBe(model.rows.length);
        model.rows.forEach((expected, step) => {
          const actual = userKeys(rows[step] ?? {});
          const want = userKeys(Object.fromEntries(expected));
          expect(matches(want, actual), `seed ${seed}, step ${step}: ${String(Object.keys(want))} vs ${String(Object.keys(actual))}`).toBe(
            true,
          );
        });
        const config = userKeys(Object.fromEntries(model.config));
        expect(matches(config, userKeys(stored.config)), `seed ${seed}: config keys ${Object.keys(stored.config)}`).toBe(true);
        const summary = userKeys(Object.fromEntries(model.summary));
        expect(matches(summary, userKeys(stored.summary)), `seed ${seed}: summary keys ${Object.keys(stored.summary)}`).toBe(true);
      } finally {
        api.close();
      }
    }, 60_000);
  }
});
