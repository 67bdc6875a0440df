import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { finished, INIT_OUTCOME_SCRIPT, spawnScript } from "../test-support/child-process.js";
import { tempRoot } from "../test-support/temp-root.js";
import { Config, ConfigState } from "./config.js";
import { sweepTrialFromEnv } from "./sweep-trial.js";

describe("a sweep trial's config", () => {
  it("reads W&B's {key: {value}} parameters file under the WANDB_* names too", () => {
    const root = tempRoot();
    const file = join(root, "config-r1.json");
    writeFileSync(file, JSON.stringify({ lr: { value: 0.1 }, layers: { value: [1, 2] }, plain: 3 }));
    expect(sweepTrialFromEnv({ WANDB_SWEEP_ID: "sw1", WANDB_SWEEP_PARAM_PATH: file })).toEqual({
      sweepId: "sw1",
      params: { lr: 0.1, layers: [1, 2], plain: 3 },
    });
    expect(sweepTrialFromEnv({ RUNLOG_SWEEP_ID: "sw2" })).toEqual({ sweepId: "sw2", params: {} });
    expect(sweepTrialFromEnv({})).toBeUndefined();
  });

  it("locks the trial's keys: set, update and setDefaults leave them and warn once per ignored change", () => {
    const state = new ConfigState(false);
    const warn = vi.fn();
    state.update({ lr: 5, other: 1 }, {});
    state.updateLocked({ lr: 0.1 }, "sweep", warn);
    const config = new Config(state);
    config.lr = 0.5;
    config.update({ lr: 0.7, other: 2 }, { allowValChange: true });
    config.setDefaults({ lr: 9 });
    config.update({ lr: 0.1 });
    expect(state.snapshot()).toEqual({ lr: 0.1, other: 2 });
    expect(warn.mock.calls).toEqual([
      ["Config item 'lr' was locked by 'sweep' (ignored update)."],
      ["Config item 'lr' was locked by 'sweep' (ignored update)."],
    ]);
  });

  it("init() with an unreadable parameters file rejects with INVALID_ARGUMENT and leaves no run (child process)", async () => {
    const root = tempRoot();
    const missing = join(root, "nope.json");
    const result = await finished(
      spawnScript(INIT_OUTCOME_SCRIPT, [JSON.stringify({ entity: "tester", project: "test", dir: root, id: "trial1" })], {
        RUNLOG_SWEEP_ID: "sw1",
        RUNLOG_SWEEP_PARAM_PATH: missing,
      }),
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^error INVALID_ARGUMENT Cannot read the sweep's parameters file .*nope\.json/);
    expect(existsSync(join(root, "runs", "tester", "test", "trial1"))).toBe(false);
  });
});
