import { describe, expect, it } from "vitest";
import { seededRandom } from "../../test-support/seeded-random.js";
import { askWandbSweeps } from "../../test-support/sweeps/oracle.js";
import { quantile } from "./distributions.js";
import { parseSweepConfigText, proposeNext } from "./index.js";
import type { LeafParameterSpec } from "./types.js";

/** One spec per distribution, as W&B's config form (JSON text keeps 1.0 a float). */
const SPECS: Record<string, string> = {
  categorical: `{"values": ["a", "b", "c", "d"]}`,
  categorical_w_probabilities: `{"values": [1, 2, 3], "probabilities": [0.2, 0.5, 0.3]}`,
  int_uniform: `{"min": -3, "max": 9}`,
  uniform: `{"min": -2.0, "max": 5.0}`,
  q_uniform: `{"distribution": "q_uniform", "min": 0, "max": 10, "q": 2}`,
  log_uniform: `{"distribution": "log_uniform", "min": -5, "max": 1}`,
  log_uniform_values: `{"distribution": "log_uniform_values", "min": 0.0001, "max": 0.1}`,
  inv_log_uniform: `{"distribution": "inv_log_uniform", "min": -2, "max": 3}`,
  inv_log_uniform_values: `{"distribution": "inv_log_uniform_values", "min": 0.5, "max": 20}`,
  q_log_uniform: `{"distribution": "q_log_uniform", "min": 0, "max": 5, "q": 4}`,
  q_log_uniform_values: `{"distribution": "q_log_uniform_values", "min": 1, "max": 1000, "q": 8}`,
  normal: `{"distribution": "normal", "mu": 3, "sigma": 2}`,
  q_normal: `{"distribution": "q_normal", "mu": 0, "sigma": 5, "q": 0.5}`,
  log_normal: `{"distribution": "log_normal", "mu": 0.5, "sigma": 0.75}`,
  q_log_normal: `{"distribution": "q_log_normal", "mu": 2, "sigma": 0.5, "q": 3}`,
  beta: `{"distribution": "beta", "a": 2, "b": 5}`,
  q_beta: `{"distribution": "q_beta", "a": 0.5, "b": 0.5, "q": 0.1}`,
};

const XS = [1e-9, 0.001, 0.05, 0.1, 0.25, 1 / 3, 0.5, 0.6180339887, 0.75, 0.9, 0.99, 0.999999];
const N = 2500;

const configOf = (text: string) => parseSweepConfigText(`{"method": "random", "parameters": {"p": ${text}}}`);

function spec(text: string): LeafParameterSpec {
  return configOf(text).parameters.p as LeafParameterSpec;
}

/** Two-sample Kolmogorov–Smirnov statistic (ties handled by stepping past equal values). */
function ksStatistic(a: number[], b: number[]): number {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i] as number, y[j] as number);
    while (i < x.length && (x[i] as number) <= v) i++;
    while (j < y.length && (y[j] as number) <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

const names = Object.keys(SPECS);
const specsJson = (op: string, extra: string) =>
  `{"op": "batch", "requests": [${names.map((n) => `{"op": "${op}", "spec": ${SPECS[n]}, ${extra}}`).join(", ")}]}`;

describe("distributions (W&B's HyperParameter as oracle)", () => {
  it("quantiles equal W&B's ppf for every distribution", () => {
    const wandb = askWandbSweeps<unknown[][]>(specsJson("ppf", `"xs": ${JSON.stringify(XS)}`));
    names.forEach((name, k) => {
      const ours = XS.map((x) => quantile(spec(SPECS[name] as string), x));
      const theirs = wandb[k] as unknown[];
      ours.forEach((value, i) => {
        const expected = theirs[i];
        if (typeof expected === "number") expect(value, `${name} at ${XS[i]}`).toBeCloseTo(expected, 6);
        else expect(value, `${name} at ${XS[i]}`).toEqual(expected);
      });
    });
  });

  it("random sweeps draw each distribution as W&B does (two-sample KS, n = 2500 each, α = 0.001)", { timeout: 300_000 }, () => {
    const wandb = askWandbSweeps<unknown[][]>(specsJson("sample", `"n": ${N}, "seed": 7`));
    // c(0.001) · sqrt((n + m) / (n m))
    const critical = 1.949 * Math.sqrt(2 / N);
    names.forEach((name, k) => {
      const config = configOf(SPECS[name] as string);
      const random = seededRandom(1000 + k);
      const ours = Array.from({ length: N }, () => (proposeNext(config, [], random) as { params: { p: unknown } }).params.p);
      const values = spec(SPECS[name] as string);
      // Categorical values compare by their index.
      const asNumber = (v: unknown) => ("values" in values ? values.values.indexOf(v) : (v as number));
      const d = ksStatistic(ours.map(asNumber), (wandb[k] as unknown[]).map(asNumber));
      expect(d, `${name}: D = ${d.toFixed(4)}, critical ${critical.toFixed(4)}`).toBeLessThan(critical);
    });
  });
});
