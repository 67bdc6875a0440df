import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { RunlogError } from "../errors.js";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";

// init's config options with W&B's meaning (checked against the real wandb by the oracle corpus).
describe("init config options", () => {
  it("configExcludeKeys / configIncludeKeys filter init's config, and are one or the other", async () => {
    const root = tempRoot();
    const excluded = await initIn(root, { config: { a: 1, b: 2, c: 3 }, configExcludeKeys: ["b"] });
    const included = await initIn(root, { config: { a: 1, b: 2, c: 3 }, configIncludeKeys: ["c"] });
    expect(excluded.config.toJSON()).toEqual({ a: 1, c: 3 });
    expect(included.config.toJSON()).toEqual({ c: 3 });
    await excluded.finish();
    await included.finish();
    const api = new Api({ dir: root });
    expect((await api.run(excluded.path)).config).toEqual({ a: 1, c: 3 });
    api.close();
    await expect(initIn(root, { config: { a: 1 }, configExcludeKeys: ["a"], configIncludeKeys: ["a"] })).rejects.toThrow(RunlogError);
    await expect(initIn(root, { configExcludeKeys: "a" as never })).rejects.toThrowError(/configExcludeKeys must be an array/);
  });

  it("allowValChange at init does not loosen later changes, as in W&B", async () => {
    const run = await initIn(tempRoot(), { config: { lr: 0.1 }, allowValChange: true });
    expect(() => run.config.set("lr", 0.9)).toThrowError(/allowValChange/);
    run.config.update({ lr: 0.9 }, { allowValChange: true });
    expect(run.config.lr).toBe(0.9);
    await run.finish();
  });
});
