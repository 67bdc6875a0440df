import { describeValue, RunlogError } from "../../errors.js";

/**
 * Small checks shared by the config validators. Each failure is one RunlogError naming the path
 * (e.g. "parameters.lr.min"), so a user can find the line in their YAML.
 */

/** Paths of numbers written with a decimal point or exponent ("1.0"), which W&B reads as floats. */
export type FloatLiterals = ReadonlySet<string>;

export function invalid(path: string, message: string): RunlogError {
  return new RunlogError("SWEEP_CONFIG_INVALID", path === "" ? message : `${path} ${message}`, { details: { path } });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

export function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalid(path, `must be a mapping (got ${describeValue(value)})`);
  return value;
}

export function rejectUnknownKeys(object: Record<string, unknown>, allowed: readonly string[], path: string, what: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw invalid(join(path, key), `is not a key of ${what}; allowed: ${allowed.join(", ")}`);
    }
  }
}

export function expectNumber(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(path, `must be a finite number (got ${describeValue(value)})`);
  return value;
}

/** An integer as W&B's schema means it: a whole number not written as a float literal. */
export function isIntegerLiteral(value: unknown, path: string, floats: FloatLiterals): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && !floats.has(path);
}

export function expectInteger(value: unknown, path: string, floats: FloatLiterals): number {
  if (!isIntegerLiteral(value, path, floats)) throw invalid(path, `must be an integer (got ${describeValue(value)})`);
  return value;
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== "string") throw invalid(path, `must be a string (got ${describeValue(value)})`);
  return value;
}

export function expectOneOf<T extends string>(value: unknown, options: readonly T[], path: string): T {
  if (typeof value !== "string" || !(options as readonly string[]).includes(value)) {
    throw invalid(path, `must be one of ${options.join(", ")} (got ${describeValue(value)})`);
  }
  return value as T;
}
