import { describe, expect, it } from "vitest";
import { RunlogError } from "../errors.js";
import { DEFAULT_SETTINGS, resolveSettings } from "./settings.js";

describe("settings", () => {
  it("defaults, then environment, then explicit options; frozen", () => {
    const settings = resolveSettings({ flushInterval: 0.5 }, { RUNLOG_STATS_SAMPLING_INTERVAL: "2", RUNLOG_FLUSH_INTERVAL: "9" });
    expect(settings.statsSamplingInterval).toBe(2);
    expect(settings.flushInterval).toBe(0.5);
    expect(settings.crashTimeout).toBe(DEFAULT_SETTINGS.crashTimeout);
    expect(Object.isFrozen(settings)).toBe(true);
    expect(settings.disableGit).toBe(false);
    expect(resolveSettings(undefined, { RUNLOG_DISABLE_GIT: "1" }).disableGit).toBe(true);
    expect(resolveSettings({ disableGit: false }, { RUNLOG_DISABLE_GIT: "true" }).disableGit).toBe(false);
  });

  it("rejects unknown names and out-of-range values", () => {
    const bad: object[] = [
      { flushIntervall: 1 },
      { statsSamplingInterval: 0.01 },
      { onStepRegression: "ignore" },
      { crashTimeout: Number.NaN },
      { quiet: "maybe" },
      { disableGit: "no" },
    ];
    for (const value of bad) expect(() => resolveSettings(value, {})).toThrow(RunlogError);
    expect(() => resolveSettings(undefined, { RUNLOG_FINISH_TIMEOUT: "soon" })).toThrowError(/finishTimeout/);
  });
});
