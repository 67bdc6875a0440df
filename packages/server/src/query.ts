import { RunlogError } from "@runlog/core";

/** Query-string readers that answer bad input with INVALID_ARGUMENT naming the parameter. */
export function intParam(query: Record<string, string | undefined>, name: string, fallback?: number): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value))
    throw new RunlogError("INVALID_ARGUMENT", `Query parameter ${name} must be an integer, got ${JSON.stringify(raw.slice(0, 40))}.`);
  return value;
}

export function numberParam(query: Record<string, string | undefined>, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value))
    throw new RunlogError("INVALID_ARGUMENT", `Query parameter ${name} must be a finite number, got ${JSON.stringify(raw.slice(0, 40))}.`);
  return value;
}

/** A comma-separated list (keys may not contain commas in this form). */
export function listParam(query: Record<string, string | undefined>, name: string): string[] | undefined {
  const raw = query[name];
  if (raw === undefined || raw === "") return undefined;
  return raw.split(",");
}

export function requiredParam(query: Record<string, string | undefined>, name: string): string {
  const raw = query[name];
  if (raw === undefined || raw === "") throw new RunlogError("INVALID_ARGUMENT", `Query parameter ${name} is required.`);
  return raw;
}
