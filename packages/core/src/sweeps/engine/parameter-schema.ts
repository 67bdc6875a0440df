import { describeValue } from "../../errors.js";
import type { Distribution, ParameterSpec } from "./types.js";
import {
  expectInteger,
  expectNumber,
  expectObject,
  type FloatLiterals,
  invalid,
  isIntegerLiteral,
  join,
  rejectUnknownKeys,
} from "./validation.js";

/**
 * The `parameters` section, matched form by form as W&B's schema does: `value`, `values`
 * (+ `probabilities`), nested `parameters`, bare `min`/`max` (integers → int_uniform, a float →
 * uniform), or an explicit `distribution` with its own fields and W&B's defaults.
 */

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

type Field = "value" | "values" | "probabilities" | "min" | "max" | "q" | "mu" | "sigma" | "a" | "b";

interface Form {
  required: readonly Field[];
  optional: readonly Field[];
}

const BOUNDS: Form = { required: ["min", "max"], optional: [] };
const Q_BOUNDS: Form = { required: ["min", "max"], optional: ["q"] };
const GAUSSIAN: Form = { required: [], optional: ["mu", "sigma"] };
const Q_GAUSSIAN: Form = { required: [], optional: ["mu", "sigma", "q"] };

const FORMS: Record<Distribution, Form> = {
  constant: { required: ["value"], optional: [] },
  categorical: { required: ["values"], optional: [] },
  categorical_w_probabilities: { required: ["values", "probabilities"], optional: [] },
  int_uniform: BOUNDS,
  uniform: BOUNDS,
  log_uniform: BOUNDS,
  log_uniform_values: BOUNDS,
  inv_log_uniform: BOUNDS,
  inv_log_uniform_values: BOUNDS,
  q_uniform: Q_BOUNDS,
  q_log_uniform: Q_BOUNDS,
  q_log_uniform_values: Q_BOUNDS,
  normal: GAUSSIAN,
  log_normal: GAUSSIAN,
  q_normal: Q_GAUSSIAN,
  q_log_normal: Q_GAUSSIAN,
  beta: { required: [], optional: ["a", "b"] },
  q_beta: { required: [], optional: ["a", "b", "q"] },
};

export const DISTRIBUTIONS = Object.keys(FORMS) as Distribution[];

/** Distributions whose min/max are values, not natural-log exponents, and so must be > 0. */
const POSITIVE_MIN = new Set<Distribution>(["log_uniform_values", "inv_log_uniform_values", "q_log_uniform_values"]);

const DEFAULTS: Partial<Record<Field, number>> = { q: 1, mu: 0, sigma: 1, a: 1, b: 1 };

export function parseParameters(raw: unknown, path: string, floats: FloatLiterals): Record<string, ParameterSpec> {
  const object = expectObject(raw, path);
  const names = Object.keys(object);
  if (names.length === 0) throw invalid(path, "must name at least one parameter");
  const parameters: Record<string, ParameterSpec> = {};
  for (const name of names) {
    if (!NAME.test(name))
      throw invalid(join(path, name), "is not a valid parameter name (letters, digits, _ . -, not starting with a digit)");
    parameters[name] = parseParameter(object[name], join(path, name), floats);
  }
  return parameters;
}

function parseParameter(raw: unknown, path: string, floats: FloatLiterals): ParameterSpec {
  const spec = expectObject(raw, path);
  if (spec.distribution !== undefined) {
    const distribution = spec.distribution;
    if (typeof distribution !== "string" || !(distribution in FORMS)) {
      throw invalid(join(path, "distribution"), `must be one of ${DISTRIBUTIONS.join(", ")} (got ${describeValue(distribution)})`);
    }
    return parseForm(spec, distribution as Distribution, path, floats);
  }
  if ("parameters" in spec) {
    rejectUnknownKeys(spec, ["parameters"], path, "a nested parameter");
    return { parameters: parseParameters(spec.parameters, join(path, "parameters"), floats) };
  }
  if ("value" in spec) return parseForm(spec, "constant", path, floats);
  if ("values" in spec) return parseForm(spec, "probabilities" in spec ? "categorical_w_probabilities" : "categorical", path, floats);
  if ("min" in spec || "max" in spec) {
    const integers = isIntegerLiteral(spec.min, join(path, "min"), floats) && isIntegerLiteral(spec.max, join(path, "max"), floats);
    return parseForm(spec, integers ? "int_uniform" : "uniform", path, floats);
  }
  throw invalid(path, "needs one of value, values, min/max, distribution or parameters");
}

function parseForm(spec: Record<string, unknown>, distribution: Distribution, path: string, floats: FloatLiterals): ParameterSpec {
  const form = FORMS[distribution];
  rejectUnknownKeys(spec, ["distribution", ...form.required, ...form.optional], path, `a ${distribution} parameter`);
  for (const field of form.required) {
    if (!(field in spec)) throw invalid(path, `(${distribution}) needs ${form.required.join(" and ")}`);
  }
  const out: Record<string, unknown> = { distribution };
  for (const field of [...form.required, ...form.optional]) {
    const fieldPath = join(path, field);
    const value = field in spec ? spec[field] : DEFAULTS[field];
    out[field] = parseField(field, value, fieldPath, distribution, floats);
  }
  checkRelations(out, distribution, path);
  return out as ParameterSpec;
}

function parseField(field: Field, value: unknown, path: string, distribution: Distribution, floats: FloatLiterals): unknown {
  switch (field) {
    case "value":
      return value;
    case "values":
    case "probabilities": {
      if (!Array.isArray(value) || value.length === 0) throw invalid(path, `must be a non-empty list (got ${describeValue(value)})`);
      if (field === "values") return [...value];
      return value.map((p, i) => {
        const probability = expectNumber(p, `${path}[${i}]`);
        if (probability < 0) throw invalid(`${path}[${i}]`, "must be ≥ 0");
        return probability;
      });
    }
    case "min":
    case "max":
      return distribution === "int_uniform" ? expectInteger(value, path, floats) : expectNumber(value, path);
    case "q": {
      const q = expectNumber(value, path);
      if (q <= 0) throw invalid(path, `must be > 0 (got ${q})`);
      return q;
    }
    case "sigma":
    case "a":
    case "b": {
      const number = expectNumber(value, path);
      if (number < 0) throw invalid(path, `must be ≥ 0 (got ${number})`);
      return number;
    }
    case "mu":
      return expectNumber(value, path);
  }
}

function checkRelations(spec: Record<string, unknown>, distribution: Distribution, path: string): void {
  const { min, max, values, probabilities } = spec;
  if (typeof min === "number" && typeof max === "number") {
    if (min >= max) throw invalid(join(path, "min"), `must be < max (got min ${min}, max ${max})`);
    if (POSITIVE_MIN.has(distribution) && min <= 0) throw invalid(join(path, "min"), `must be > 0 for ${distribution} (got ${min})`);
  }
  if (Array.isArray(values) && Array.isArray(probabilities)) {
    if (values.length !== probabilities.length) {
      throw invalid(join(path, "probabilities"), `must have one entry per value (${probabilities.length} for ${values.length} values)`);
    }
    const sum = probabilities.reduce((total: number, p: number) => total + p, 0);
    // numpy.isclose(sum, 1.0), as W&B checks it
    if (Math.abs(sum - 1) > 1e-8 + 1e-5) throw invalid(join(path, "probabilities"), `must sum to 1 (they sum to ${sum})`);
  }
}
