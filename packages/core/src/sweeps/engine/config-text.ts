import { RunlogError } from "../../errors.js";
import { parseSweepConfigWith } from "./config-schema.js";
import { yaml } from "./lazy-deps.js";
import type { SweepConfig } from "./types.js";
import { invalid, join } from "./validation.js";

/**
 * A sweep config file, YAML or JSON (JSON is YAML). Integers are read as integers and `1.0` as a
 * float, as W&B's Python loader reads them, so `min: 1.0, max: 10` is uniform, not int_uniform.
 */
export function parseSweepConfigText(text: string, fileName = "sweep config"): SweepConfig {
  if (typeof text !== "string") throw new RunlogError("SWEEP_CONFIG_INVALID", `${fileName}: expected the file's text`);
  const document = yaml().parseDocument(text, { intAsBigInt: true });
  const [error] = document.errors;
  if (error !== undefined) {
    throw new RunlogError("SWEEP_CONFIG_INVALID", `${fileName} is not valid YAML or JSON: ${error.message}`, { cause: error });
  }
  const floats = new Set<string>();
  try {
    const value = plainNumbers(document.toJS({ maxAliasCount: 100 }), "", floats);
    return parseSweepConfigWith(value, floats);
  } catch (cause) {
    if (RunlogError.isInstance(cause))
      throw new RunlogError(cause.code, `${fileName}: ${cause.message}`, { cause, details: { ...cause.details } });
    throw new RunlogError("SWEEP_CONFIG_INVALID", `${fileName} could not be read: ${String(cause)}`, { cause });
  }
}

/** BigInt integers back to numbers; every other number was written as a float, so note its path. */
function plainNumbers(value: unknown, path: string, floats: Set<string>): unknown {
  if (typeof value === "bigint") {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw invalid(path, "is too large an integer");
    return Number(value);
  }
  if (typeof value === "number") {
    floats.add(path);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, i) => plainNumbers(item, `${path}[${i}]`, floats));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainNumbers(item, join(path, key), floats)]));
  }
  return value;
}
