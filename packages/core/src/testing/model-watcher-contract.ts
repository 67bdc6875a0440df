import { describe, expect, it } from "vitest";
import { Histogram } from "../data-types/histogram.js";
import {
  findWatcher,
  type ModelWatcher,
  registerWatcher,
  resolveWatchOptions,
  type WatchOptions,
  type WatchTarget,
} from "../watch/registry.js";
import { present } from "./scratch.js";

/** A framework's model for the suite: how to make one, drive it, and where a watcher may hook it. */
export interface WatchedModelUnderTest {
  /** A fresh model the watcher claims (for tfjs: a compiled LayersModel). */
  model(): Promise<unknown>;
  /** One training (or inference) step; a static model's watcher logs at watch() and this may do nothing. */
  step(model: unknown): Promise<void>;
  /** The objects `watch` may patch (the model, its optimizer): `remove()` must leave their own properties as they were. */
  hookedObjects(model: unknown): object[];
  /** Whether histograms come per step (and so follow `logFreq`) rather than once at watch(). */
  readonly logsPerStep: boolean;
  /** The adapter's npm name: a watcher is named after its package (`@runlog/tfjs`, `@runlog/onnx`). */
  readonly packageName?: string;
  /** Values of other frameworks the watcher must not claim. */
  readonly foreign?: readonly unknown[];
}

interface Logged {
  readonly data: Record<string, unknown>;
  readonly commit: unknown;
}

function recordingTarget(): WatchTarget & { calls: Logged[]; keys(): string[]; summaryValues: Map<string, unknown> } {
  const calls: Logged[] = [];
  const summaryValues = new Map<string, unknown>();
  return {
    calls,
    summaryValues,
    log(data, options) {
      calls.push({ data, commit: options.commit });
    },
    summary: { set: (key, value) => void summaryValues.set(key, value) },
    keys: () => calls.flatMap((call) => Object.keys(call.data)),
  };
}

/** Each object's own properties (value or getter), to compare by identity after remove(). */
const ownProperties = (objects: object[]) =>
  objects.map((object) => new Map(Object.entries(Object.getOwnPropertyDescriptors(object)).map(([key, d]) => [key, d.value ?? d.get])));

/** The properties added, removed or replaced between two snapshots: "object #i: key". */
function changedProperties(before: Map<string, unknown>[], after: Map<string, unknown>[]): string[] {
  return before.flatMap((was, i) => {
    const now = after[i] ?? new Map<string, unknown>();
    const keys = new Set([...was.keys(), ...now.keys()]);
    return [...keys]
      .filter((key) => !was.has(key) || !now.has(key) || !Object.is(was.get(key), now.get(key)))
      .map((key) => `object #${i}: ${key}`);
  });
}

/**
 * The contract every `ModelWatcher` meets (the tfjs and onnx adapters; a third-party adapter
 * runs it the same way): it claims its framework's models and nothing else, logs histograms
 * (`gradients/…`, `parameters/…`) with `commit: false`, honours `log`, `logFreq` and `filter`,
 * and `remove()` restores the model.
 */
export function describeModelWatcherContract(watcher: ModelWatcher, framework: WatchedModelUnderTest): void {
  const watch = async (options: WatchOptions, steps = 1, given?: unknown) => {
    const model = given ?? (await framework.model());
    const target = recordingTarget();
    const handle = watcher.watch(model, target, resolveWatchOptions(options));
    for (let i = 0; i < steps; i++) await framework.step(model);
    return { model, target, handle };
  };

  describe(`ModelWatcher contract: ${watcher.name}`, () => {
    it("claims its framework's models and nothing else, and is the one run.watch finds once registered", async () => {
      expect(watcher.name).toMatch(/\S/);
      if (framework.packageName !== undefined) expect(watcher.name).toBe(framework.packageName);
      const model = await framework.model();
      expect(watcher.claims(model)).toBe(true);
      for (const other of [null, undefined, 0, "model", {}, [], () => {}, new Map(), ...(framework.foreign ?? [])]) {
        expect(watcher.claims(other), `claims ${String(other)}`).toBe(false);
      }
      registerWatcher(watcher);
      expect(findWatcher(model).name).toBe(watcher.name);
    });

    it('logs histograms under gradients/ or parameters/ with commit: false (log: "all")', async () => {
      const { target, handle } = await watch({ log: "all", logFreq: 1 });
      handle.remove();
      expect(target.keys().length).toBeGreaterThan(0);
      for (const call of target.calls) {
        expect(call.commit).toBe(false);
        for (const [key, value] of Object.entries(call.data)) {
          expect(key).toMatch(/^(gradients|parameters)\/./);
          expect(value).toBeInstanceOf(Histogram);
        }
      }
    });

    it("logs nothing with log: null, and only what the filter passes", async () => {
      const silent = await watch({ log: null, logFreq: 1 });
      silent.handle.remove();
      expect(silent.target.keys()).toEqual([]);
      const everything = await watch({ log: "all", logFreq: 1 });
      everything.handle.remove();
      const [firstKey] = everything.target.keys();
      const firstName = present(firstKey, "a logged key").replace(/^(gradients|parameters)\//, "");
      // The same model: a framework may name parameters per instance.
      const filtered = await watch({ log: "all", logFreq: 1, filter: [firstName] }, 1, everything.model);
      filtered.handle.remove();
      const names = new Set(filtered.target.keys().map((key) => key.replace(/^(gradients|parameters)\//, "")));
      expect([...names]).toEqual([firstName]);
      const none = await watch({ log: "all", logFreq: 1, filter: () => false });
      none.handle.remove();
      expect(none.target.keys()).toEqual([]);
    });

    if (framework.logsPerStep) {
      it("logs every logFreq-th step", async () => {
        const each = await watch({ log: "all", logFreq: 1 }, 4);
        each.handle.remove();
        const second = await watch({ log: "all", logFreq: 2 }, 4);
        second.handle.remove();
        expect(each.target.calls.length).toBeGreaterThan(0);
        expect(second.target.calls.length * 2).toBe(each.target.calls.length);
      });
    } else {
      it("logs once, at watch(), whatever logFreq and however many steps follow", async () => {
        const once = await watch({ log: "all", logFreq: 1 }, 0);
        const logged = once.target.calls.length;
        for (let i = 0; i < 4; i++) await framework.step(once.model);
        once.handle.remove();
        expect(logged).toBeGreaterThan(0);
        expect(once.target.calls.length).toBe(logged);
        const sparse = await watch({ log: "all", logFreq: 1000 }, 4);
        sparse.handle.remove();
        expect(sparse.target.calls.length).toBe(logged);
      });
    }

    it("remove() restores every hooked object and stops logging", async () => {
      const model = await framework.model();
      const before = ownProperties(framework.hookedObjects(model));
      const target = recordingTarget();
      const handle = watcher.watch(model, target, resolveWatchOptions({ log: "all", logFreq: 1 }));
      handle.remove();
      expect(changedProperties(before, ownProperties(framework.hookedObjects(model)))).toEqual([]);
      const logged = target.calls.length;
      await framework.step(model);
      await framework.step(model);
      expect(target.calls.length).toBe(logged);
    });
  });
}
