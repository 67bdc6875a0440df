import { RunlogError } from "@runlog/core";

export type Query = Record<string, string | undefined>;
export type RunParams = { entity: string; project: string; id: string };

/** Query-string readers that answer bad input with INVALID_ARGUMENT naming the parameter. */
export function intParam(query: Query, name: string, fallback?: number): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value))
    throw new RunlogError("INVALID_ARGUMENT", `Query parameter ${name} must be an integer, got ${JSON.stringify(raw.slice(0, 40))}.`);
  return value;
}

/** The most rows one page may be asked for, on every paged route. */
export const MAX_PAGE_ROWS = 10_000;

/** A page's `limit`: an integer from 1 to MAX_PAGE_ROWS, else INVALID_ARGUMENT (huge, negative, NaN). */
export function pageLimitParam(query: Query, fallback: number): number {
  const limit = intParam(query, "limit", fallback) as number;
  if (limit < 1 || limit > MAX_PAGE_ROWS)
    throw new RunlogError("INVALID_ARGUMENT", `limit must be from 1 to ${MAX_PAGE_ROWS}, got ${limit}.`);
  return limit;
}

export function numberParam(query: Query, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value))
    throw new RunlogError("INVALID_ARGUMENT", `Query parameter ${name} must be a finite number, got ${JSON.stringify(raw.slice(0, 40))}.`);
  return value;
}

/** A step bound: a number or ±Infinity (never NaN). */
export function boundParam(query: Query, name: string, fallback: number): number {
  const raw = query[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (Number.isNaN(value)) throw new RunlogError("INVALID_ARGUMENT", `${name} must be a number, got ${JSON.stringify(raw.slice(0, 40))}.`);
  return value;
}

/** A comma-separated list (keys may not contain commas in this form). */
export function listParam(query: Query, name: string): string[] | undefined {
  const raw = query[name];
  if (raw === undefined || raw === "") return undefined;
  return raw.split(",");
}

export function requiredParam(query: Query, name: string): string {
  const raw = query[name];
  if (raw === undefined || raw === "") throw new RunlogError("INVALID_ARGUMENT", `Query parameter ${name} is required.`);
  return raw;
}
