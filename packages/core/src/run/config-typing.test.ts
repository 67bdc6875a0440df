import { describe, expect, expectTypeOf, it } from "vitest";
import { tempRoot } from "../test-support/temp-root.js";
import type { Config } from "./config.js";
import { init } from "./init.js";
import type { Run } from "./run.js";
import type { TypedRun } from "./typed-run.js";

// The type assertions are checked by `tsc -p tsconfig.test.json` (the typecheck step): a regression
// of init<C>()'s signature fails the type check, not only this file's run.
const QUIET = { console: "off", quiet: true, disableStats: true } as const;

describe("init<C>() types run.config from the config given", () => {
  it("infers each key's type from the config literal, and the values are the config's", async () => {
    const run = await init({
      project: "typed",
      dir: tempRoot(),
      settings: QUIET,
      config: { lr: 0.01, layers: [64, 32], model: { name: "mlp" } },
    });
    try {
      expectTypeOf(run.config.lr).toEqualTypeOf<number>();
      expectTypeOf(run.config.layers).toEqualTypeOf<number[]>();
      expectTypeOf(run.config.model.name).toEqualTypeOf<string>();
      // Keys given later, and Config's own methods, stay as they were.
      expectTypeOf(run.config.epochs).toEqualTypeOf<unknown>();
      expectTypeOf(run.config.update).toEqualTypeOf<Config["update"]>();
      expectTypeOf(run).toMatchTypeOf<Run>();
      // @ts-expect-error lr is a number, not a string (type-checked only, never called)
      expectTypeOf(() => run.config.lr.toUpperCase()).toBeFunction();
      expect(run.config.lr).toBe(0.01);
      expect(run.config.model).toEqual({ name: "mlp" });
    } finally {
      await run.finish({ quiet: true });
    }
  });

  it("takes an explicit type argument (an interface too), and checks the config against it", async () => {
    interface Hyper {
      lr: number;
      optimizer: "adam" | "sgd";
    }
    const run = await init<Hyper>({ project: "typed", dir: tempRoot(), settings: QUIET, config: { lr: 0.1, optimizer: "sgd" } });
    try {
      expectTypeOf(run).toEqualTypeOf<TypedRun<Hyper>>();
      expectTypeOf(run.config.optimizer).toEqualTypeOf<"adam" | "sgd">();
      // @ts-expect-error "rmsprop" is not an optimizer Hyper allows
      void init<Hyper>({ mode: "disabled", config: { lr: 0.1, optimizer: "rmsprop" } });
      expect(run.config.optimizer).toBe("sgd");
    } finally {
      await run.finish({ quiet: true });
    }
  });

  it("without a config, run.config is the untyped Config as before", async () => {
    const run = await init({ mode: "disabled" });
    expectTypeOf(run.config.anything).toEqualTypeOf<unknown>();
    expectTypeOf(run.config).toMatchTypeOf<Config>();
    await run.finish();
  });
});
