import { describe, expect, it } from "vitest";
import { RunlogError } from "../../errors.js";
import { askWandbSweeps } from "../../test-support/sweeps/oracle.js";
import { parseSweepConfig, parseSweepConfigText } from "./index.js";

function rejection(run: () => unknown): RunlogError {
  try {
    run();
  } catch (error) {
    if (RunlogError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a RunlogError");
}

const P = `"parameters": {"x": {"values": [1, 2]}}`;

/** W&B's SweepConfig drops nested parameters when it fills defaults, so a config with only nested ones fails there. */
const NESTED_ONLY = `{"method": "random", "parameters": {"opt": {"parameters": {"lr": {"min": 0.1, "max": 1.0}, "m": {"value": 0.9}}}}}`;

/** Configs as JSON text (so 1.0 stays a float for W&B), each with W&B's verdict asked below. */
const CORPUS: string[] = [
  `{"method": "grid", ${P}}`,
  `{"method": "random", "parameters": {"lr": {"min": 0.0001, "max": 0.1}, "n": {"min": 1, "max": 5}}}`,
  `{"method": "random", "parameters": {"lr": {"min": 1.0, "max": 10}}}`,
  `{"method": "random", "parameters": {"lr": {"min": 1, "max": 1}}}`,
  `{"method": "random", "parameters": {"lr": {"min": 2.5, "max": 0.5}}}`,
  `{"method": "random", "parameters": {"lr": {"mn": 1, "max": 2}}}`,
  `{"method": "random", "parameters": {"lr": {"distribution": "int_uniform", "min": 1.5, "max": 3}}}`,
  `{"method": "random", "parameters": {"lr": {"distribution": "log_uniform_values", "min": 0.0, "max": 1.0}}}`,
  `{"method": "random", "parameters": {"lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1.0}}}`,
  `{"method": "random", "parameters": {"lr": {"distribution": "normal", "mu": 1, "sigma": -1}}}`,
  `{"method": "random", "parameters": {"lr": {"distribution": "normal", "min": 0, "max": 1}}}`,
  `{"method": "random", "parameters": {"lr": {"distribution": "q_normal", "q": 0}}}`,
  `{"method": "random", "parameters": {"lr": {"distribution": "beta", "a": 2, "b": 5}}}`,
  `{"method": "random", "parameters": {"lr": {"distribution": "q_beta", "a": 2, "b": 5, "q": 0.1}}}`,
  `{"method": "random", "parameters": {"lr": {"distribution": "gamma"}}}`,
  `{"method": "random", "parameters": {"c": {"values": ["a", "b"], "probabilities": [0.3, 0.7]}}}`,
  `{"method": "random", "parameters": {"c": {"values": ["a", "b"], "probabilities": [0.3, 0.6]}}}`,
  `{"method": "random", "parameters": {"c": {"values": ["a", "b"], "probabilities": [1.0]}}}`,
  `{"method": "random", "parameters": {"c": {"distribution": "categorical", "values": ["a"], "probabilities": [1.0]}}}`,
  `{"method": "random", "parameters": {"c": {"values": []}}}`,
  `{"method": "random", "parameters": {"c": {"value": 1, "values": [1]}}}`,
  `{"method": "random", "parameters": {"1bad": {"value": 1}}}`,
  `{"method": "random", "parameters": {}}`,
  `{"method": "random"}`,
  NESTED_ONLY,
  `{"method": "grid", "parameters": {"lr": {"min": 0.1, "max": 1.0}}}`,
  `{"method": "grid", "parameters": {"lr": {"distribution": "q_uniform", "min": 0, "max": 1, "q": 0.25}}}`,
  `{"method": "grid", "parameters": {"c": {"values": [1, 2], "probabilities": [0.5, 0.5]}}}`,
  `{"method": "bayes", ${P}}`,
  `{"method": "bayes", "metric": {"name": "loss"}, ${P}}`,
  `{"method": "bayes", "metric": {"name": "loss", "goal": "up"}, ${P}}`,
  `{"method": "bayes", "metric": {"goal": "minimize"}, ${P}}`,
  `{"method": "bayes", "metric": {"name": "loss", "impute": "best", "impute_while_running": "latest", "target": 0.1}, ${P}}`,
  `{"method": "bayes", "metric": {"name": "loss"}, "parameters": {"x": {"value": 1}}}`,
  `{"method": "sideways", ${P}}`,
  `{"method": "random", "lr": 0.1, ${P}}`,
  `{"method": "random", "run_cap": 0, ${P}}`,
  `{"method": "random", "run_cap": 5, "name": "n", "description": "d", "program": "train.py", "command": ["\${env}", "python", "\${program}", "\${args}"], "entity": "e", "project": "p", ${P}}`,
  `{"method": "random", "controller": {"type": "local"}, ${P}}`,
  `{"method": "random", "metric": {"name": "loss"}, "early_terminate": {"type": "hyperband", "min_iter": 3}, ${P}}`,
  `{"method": "random", "metric": {"name": "loss"}, "early_terminate": {"type": "hyperband", "max_iter": 27, "s": 2, "eta": 3}, ${P}}`,
  `{"method": "random", "metric": {"name": "loss"}, "early_terminate": {"type": "hyperband", "max_iter": 27}, ${P}}`,
  `{"method": "random", "metric": {"name": "loss"}, "early_terminate": {"type": "hyperband", "min_iter": 3, "eta": 1}, ${P}}`,
  `{"method": "random", "metric": {"name": "loss"}, "early_terminate": {"type": "hyperband", "max_iter": 2, "s": 2, "eta": 3}, ${P}}`,
  `{"method": "random", "metric": {"name": "loss"}, "early_terminate": {"type": "median", "min_iter": 3}, ${P}}`,
  `{"method": "random", "early_terminate": {"type": "hyperband", "min_iter": 3}, ${P}}`,
];

/** Where Runlog deliberately differs from W&B (README "Deliberate differences"). */
const DIFFERENT = new Map([[NESTED_ONLY, "runlog accepts"]]);

describe("parseSweepConfig accepts and rejects what W&B's sweeps engine does", () => {
  it("matches W&B's verdict on every config of the corpus", () => {
    const wandb = askWandbSweeps<{ accepted: boolean; error?: string }[][]>(
      `{"op": "batch", "requests": [${CORPUS.map((c) => `{"op": "validate", "configs": [${c}]}`).join(", ")}]}`,
    );
    const rows = CORPUS.map((text, i) => {
      let ours: string | true = true;
      try {
        parseSweepConfigText(text);
      } catch (error) {
        if (!RunlogError.isInstance(error)) throw error;
        expect(error.code).toBe("SWEEP_CONFIG_INVALID");
        ours = error.message;
      }
      return { text, ours, wandb: wandb[i]?.[0] };
    });
    const mismatches = rows.filter((row) => (row.ours === true) !== row.wandb?.accepted && !DIFFERENT.has(row.text));
    expect(mismatches).toEqual([]);
    expect(rows.filter((row) => row.ours === true).length).toBeGreaterThan(10);
    expect(rows.filter((row) => row.ours !== true).length).toBeGreaterThan(15);
  });
});

describe("parseSweepConfig: one clear error naming the path", () => {
  it.each([
    ["unknown top-level key", { method: "random", lr: 1, parameters: { a: { value: 1 } } }, /^lr is not a key of a sweep config/],
    [
      "unknown parameter key",
      { method: "random", parameters: { lr: { mn: 1, max: 2 } } },
      /^parameters\.lr\.mn is not a key of a uniform parameter/,
    ],
    [
      "min ≥ max",
      { method: "random", parameters: { lr: { min: 0.5, max: 0.1 } } },
      /^parameters\.lr\.min must be < max \(got min 0\.5, max 0\.1\)/,
    ],
    [
      "grid with a continuous distribution",
      { method: "grid", parameters: { lr: { distribution: "normal" } } },
      /^parameters\.lr is normal: grid takes only/,
    ],
    [
      "nested grid parameter",
      { method: "grid", parameters: { o: { parameters: { lr: { min: 0.5, max: 1.5 } } } } },
      /^parameters\.o\.parameters\.lr is uniform/,
    ],
    ["bayes without metric", { method: "bayes", parameters: { a: { values: [1, 2] } } }, /^metric is required for method bayes/],
    ["bad method", { method: "sideways", parameters: { a: { value: 1 } } }, /^method must be one of grid, random, bayes/],
    ["not a mapping", "method: grid", /^sweep config must be a mapping/],
  ])("%s", (_, input, message) => {
    const error = rejection(() => parseSweepConfig(input));
    expect(error.code).toBe("SWEEP_CONFIG_INVALID");
    expect(error.message).toMatch(message);
  });

  it("fills W&B's defaults", () => {
    const config = parseSweepConfig({
      method: "bayes",
      metric: { name: "loss" },
      early_terminate: { type: "hyperband", min_iter: 3 },
      parameters: { n: { distribution: "q_normal" }, b: { distribution: "beta" }, u: { min: 1, max: 4 } },
    });
    expect(config.metric).toEqual({ name: "loss", goal: "minimize", impute: "worst", impute_while_running: "false" });
    expect(config.early_terminate).toEqual({ type: "hyperband", min_iter: 3, eta: 3, strict: true });
    expect(config.parameters).toEqual({
      n: { distribution: "q_normal", mu: 0, sigma: 1, q: 1 },
      b: { distribution: "beta", a: 1, b: 1 },
      u: { distribution: "int_uniform", min: 1, max: 4 },
    });
  });

  it("reads YAML, keeps 1.0 a float (uniform, not int_uniform) and names the file in errors", () => {
    const config = parseSweepConfigText("method: random\nparameters:\n  lr: {min: 1.0, max: 10}\n  n: {min: 1, max: 10}\n");
    expect(config.parameters.lr).toEqual({ distribution: "uniform", min: 1, max: 10 });
    expect(config.parameters.n).toEqual({ distribution: "int_uniform", min: 1, max: 10 });
    const syntax = rejection(() => parseSweepConfigText("method: [grid\n", "sweep.yaml"));
    expect(syntax.code).toBe("SWEEP_CONFIG_INVALID");
    expect(syntax.message).toMatch(/^sweep\.yaml is not valid YAML or JSON: .*line/);
    const schema = rejection(() => parseSweepConfigText("method: grid\nparameters:\n  lr: {min: 0.1, max: 1.0}\n", "sweep.yaml"));
    expect(schema.message).toMatch(/^sweep\.yaml: parameters\.lr is uniform/);
  });
});
