import { stats } from "./lazy-deps.js";
import type { LeafParameterSpec } from "./types.js";

/**
 * Each distribution's quantile function (a uniform draw in [0, 1) → a value, as W&B's
 * `HyperParameter.ppf` does with scipy) and its CDF (a value → [0, 1], the space bayes searches).
 */

export function quantile(spec: LeafParameterSpec, x: number): unknown {
  switch (spec.distribution) {
    case "constant":
      return spec.value;
    case "categorical":
      return spec.values[discreteIndex(x, spec.values.length)];
    case "categorical_w_probabilities": {
      let total = 0;
      const index = spec.probabilities.findIndex((p) => x < (total += p));
      return spec.values[index === -1 ? spec.values.length - 1 : index];
    }
    case "int_uniform":
      return spec.min + discreteIndex(x, spec.max - spec.min + 1);
    case "uniform":
      return uniform(x, spec.min, spec.max);
    case "q_uniform":
      return quantize(uniform(x, spec.min, spec.max), spec.q);
    case "log_uniform":
      return Math.exp(uniform(x, spec.min, spec.max));
    case "log_uniform_values":
      return Math.exp(uniform(x, Math.log(spec.min), Math.log(spec.max)));
    case "q_log_uniform":
      return quantize(Math.exp(uniform(x, spec.min, spec.max)), spec.q);
    case "q_log_uniform_values":
      return quantize(Math.exp(uniform(x, Math.log(spec.min), Math.log(spec.max))), spec.q);
    case "inv_log_uniform":
      return Math.exp(-uniform(1 - x, spec.min, spec.max));
    case "inv_log_uniform_values":
      return Math.exp(-uniform(1 - x, -Math.log(spec.max), -Math.log(spec.min)));
    case "normal":
      return stats().normalQuantile(x, spec.mu, spec.sigma);
    case "q_normal":
      return quantize(stats().normalQuantile(x, spec.mu, spec.sigma), spec.q);
    case "log_normal":
      return Math.exp(stats().normalQuantile(x, spec.mu, spec.sigma));
    case "q_log_normal":
      return quantize(Math.exp(stats().normalQuantile(x, spec.mu, spec.sigma)), spec.q);
    case "beta":
      return stats().betaQuantile(x, spec.a, spec.b);
    case "q_beta":
      return quantize(stats().betaQuantile(x, spec.a, spec.b), spec.q);
  }
}

/**
 * The CDF at a trial's value; categoricals take the value's index. NaN where the value is outside
 * what the distribution can give (a log of a non-positive number), so bayes leaves that trial out.
 */
export function cdf(spec: LeafParameterSpec, value: number): number {
  switch (spec.distribution) {
    case "constant":
      return 0;
    case "categorical":
      return discreteCdf(value, 0, spec.values.length);
    case "categorical_w_probabilities":
      return spec.probabilities.slice(0, Math.floor(value) + 1).reduce((total, p) => total + p, 0);
    case "int_uniform":
      return discreteCdf(value, spec.min, spec.max - spec.min + 1);
    case "uniform":
    case "q_uniform":
      return uniformCdf(value, spec.min, spec.max);
    case "log_uniform":
    case "q_log_uniform":
      return uniformCdf(Math.log(value), spec.min, spec.max);
    case "log_uniform_values":
    case "q_log_uniform_values":
      return uniformCdf(Math.log(value), Math.log(spec.min), Math.log(spec.max));
    case "inv_log_uniform":
      return 1 - uniformCdf(Math.log(1 / value), spec.min, spec.max);
    case "inv_log_uniform_values":
      return 1 - uniformCdf(Math.log(1 / value), -Math.log(spec.max), -Math.log(spec.min));
    case "normal":
    case "q_normal":
      return stats().normalCdf(value, spec.mu, spec.sigma);
    case "log_normal":
    case "q_log_normal":
      return value > 0 ? stats().normalCdf(Math.log(value), spec.mu, spec.sigma) : Number.isNaN(value) ? Number.NaN : 0;
    case "beta":
    case "q_beta":
      return stats().betaCdf(value, spec.a, spec.b);
  }
}

function uniform(x: number, min: number, max: number): number {
  return min + x * (max - min);
}

function uniformCdf(value: number, min: number, max: number): number {
  if (Number.isNaN(value)) return Number.NaN;
  return Math.min(1, Math.max(0, (value - min) / (max - min)));
}

/** scipy's randint.ppf on n outcomes: the smallest k with (k + 1) / n ≥ x, kept inside 0..n-1. */
function discreteIndex(x: number, n: number): number {
  let k = Math.ceil(x * n) - 1;
  if (k >= 1 && k / n >= x) k -= 1;
  return Math.min(n - 1, Math.max(0, k));
}

function discreteCdf(value: number, low: number, n: number): number {
  if (Number.isNaN(value)) return Number.NaN;
  return Math.min(1, Math.max(0, (Math.floor(value) - low + 1) / n));
}

/** numpy's round(value / q) * q: halves go to the even neighbour. */
export function quantize(value: number, q: number): number {
  const scaled = value / q;
  const nearest = Math.round(scaled);
  const rounded = Math.abs(scaled % 1) === 0.5 ? 2 * Math.round(scaled / 2) : nearest;
  return rounded * q;
}
