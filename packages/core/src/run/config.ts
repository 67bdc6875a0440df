import { describeValue, RunlogError } from "../errors.js";
import { encodeJson, jsonEqual } from "../util/json.js";
import { INVALID, keyProblem, readingUserValue, toPlainValue } from "../util/plain-value.js";
import { withPropertyAccess } from "./property-access.js";

export const MAX_CONFIG_BYTES = 10 * 1024 * 1024;

/**
 * The run's hyperparameters. Property access (`run.config.lr`) plus explicit methods.
 * Changing an existing key to a different value needs `allowValChange` (W&B semantics).
 */
export class Config {
  [key: string]: unknown;
  /** @internal */ declare private readonly state: ConfigState;

  constructor(state: ConfigState) {
    Object.defineProperty(this, "state", { value: state, enumerable: false, configurable: true });
    // biome-ignore lint/correctness/noConstructorReturn: the proxy adds property access to this instance
    return withPropertyAccess(
      this,
      (key) => state.get(key),
      (key, value) => state.update({ [key]: value }, {}),
      (key) => state.remove(key),
      (key) => state.has(key),
      () => state.keys(),
    );
  }

  get(key: string): unknown {
    return this.state.get(key);
  }

  set(key: string, value: unknown, options: { allowValChange?: boolean } = {}): void {
    this.state.update({ [key]: value }, options);
  }

  update(values: Record<string, unknown> | Map<string, unknown>, options: { allowValChange?: boolean } = {}): void {
    this.state.update(values, options);
  }

  setDefaults(values: Record<string, unknown>): void {
    this.state.setDefaults(values);
  }

  toJSON(): Record<string, unknown> {
    return this.state.snapshot();
  }
}

/** The data behind a Config; the run reads `takeChange()` to persist it. */
export class ConfigState {
  private data: Record<string, unknown> = {};
  private changed = false;
  private locked = false;
  /** Keys a sweep set (key → who locked it): user updates to them are ignored with a warning, as in W&B. */
  private readonly lockedKeys = new Map<string, string>();
  private warnLocked: (message: string) => void = () => {};

  constructor(private readonly defaultAllowValChange: boolean) {}

  get(key: string): unknown {
    return this.data[normalizeKey(key)];
  }

  has(key: string): boolean {
    return Object.hasOwn(this.data, normalizeKey(key));
  }

  keys(): string[] {
    return Object.keys(this.data).filter((key) => !key.startsWith("_"));
  }

  remove(key: string): boolean {
    this.assertOpen();
    const normalized = normalizeKey(key);
    if (!Object.hasOwn(this.data, normalized)) return false;
    delete this.data[normalized];
    this.changed = true;
    return true;
  }

  update(values: unknown, options: { allowValChange?: boolean }): void {
    readingUserValue("config.update", () => this.apply(values, options));
  }

  private apply(values: unknown, options: { allowValChange?: boolean }): void {
    this.assertOpen();
    const entries = toEntries(values, "config.update");
    const allow = options.allowValChange ?? this.defaultAllowValChange;
    const next: Record<string, unknown> = {};
    for (const [rawKey, value] of entries) {
      const key = normalizeKey(rawKey);
      const clean = sanitize(value, key);
      const owner = this.lockedKeys.get(key);
      if (owner !== undefined) {
        if (!jsonEqual(this.data[key], clean)) this.warnLocked(`Config item '${key}' was locked by '${owner}' (ignored update).`);
        continue;
      }
      if (!allow && Object.hasOwn(this.data, key) && !jsonEqual(this.data[key], clean)) {
        throw new RunlogError(
          "CONFIG_VALUE_CHANGE",
          `Attempted to change value of key "${key}" from ${describeValue(this.data[key])} to ${describeValue(clean)}. If you really want to do this, pass { allowValChange: true } to config.update().`,
          { details: { key, from: this.data[key], to: clean } },
        );
      }
      next[key] = clean;
    }
    this.commit(next);
  }

  setDefaults(values: unknown): void {
    this.assertOpen();
    const next: Record<string, unknown> = {};
    readingUserValue("config.setDefaults", () => {
      for (const [rawKey, value] of toEntries(values, "config.setDefaults")) {
        const key = normalizeKey(rawKey);
        if (!Object.hasOwn(this.data, key)) next[key] = sanitize(value, key);
      }
    });
    this.commit(next);
  }

  /** Sets `values` and locks their keys to `owner` (a sweep's parameters); later updates to them are ignored. */
  updateLocked(values: Record<string, unknown>, owner: string, warn: (message: string) => void): void {
    this.warnLocked = warn;
    for (const key of Object.keys(values)) this.lockedKeys.delete(normalizeKey(key));
    this.update(values, { allowValChange: true });
    for (const key of Object.keys(values)) this.lockedKeys.set(normalizeKey(key), owner);
  }

  /** Replaces everything (resume, fork): no change checks. */
  load(values: Record<string, unknown>): void {
    this.data = { ...values };
    this.changed = true;
  }

  snapshot(): Record<string, unknown> {
    return structuredClone(this.data);
  }

  takeChange(): Record<string, unknown> | undefined {
    if (!this.changed) return undefined;
    this.changed = false;
    return this.snapshot();
  }

  /** After finish the config can still be read but not changed. */
  lock(): void {
    this.locked = true;
  }

  private commit(next: Record<string, unknown>): void {
    if (Object.keys(next).length === 0) return;
    const merged = { ...this.data, ...next };
    const size = encodeJson(merged).length;
    if (size > MAX_CONFIG_BYTES) {
      throw new RunlogError(
        "VALUE_TOO_LARGE",
        `Config would be ${size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit. Keep hyperparameters in config and data in artifacts.`,
      );
    }
    this.data = merged;
    this.changed = true;
  }

  private assertOpen(): void {
    if (this.locked) throw new RunlogError("RUN_FINISHED", "The run is finished; its config can no longer change.");
  }
}

function normalizeKey(key: string): string {
  const normalized = typeof key === "string" ? key.replace(/^-+|-+$/g, "") : "";
  if (normalized.length === 0 || normalized.length > 1024) {
    throw new RunlogError("INVALID_ARGUMENT", `Invalid config key ${describeValue(key)}: use 1–1024 characters.`);
  }
  const bad = keyProblem(normalized);
  if (bad !== undefined) throw new RunlogError("INVALID_ARGUMENT", `Invalid config key ${describeValue(key)}: ${bad}.`);
  return normalized;
}

function toEntries(values: unknown, where: string): [string, unknown][] {
  if (values instanceof Map) {
    return [...values.entries()].map(([key, value]) => {
      if (typeof key !== "string") throw new RunlogError("INVALID_ARGUMENT", `${where}: Map keys must be strings.`);
      return [key, value];
    });
  }
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new RunlogError("INVALID_ARGUMENT", `${where} needs an object of key → value, got ${describeValue(values)}.`);
  }
  if (Object.getOwnPropertySymbols(values).length > 0) {
    throw new RunlogError("INVALID_ARGUMENT", `${where}: symbol keys cannot be stored in config; use string keys.`);
  }
  return Object.entries(values);
}

/** Config values follow the shared rule for stored values (util/plain-value.ts); data types belong in run.log. */
function sanitize(value: unknown, path: string): unknown {
  const problems: string[] = [];
  const clean = toPlainValue(value, { bigint: "keep", problem: (at, reason) => problems.push(`"${at}": ${reason}`) }, path);
  if (clean === INVALID) {
    throw new RunlogError("INVALID_VALUE", `config ${problems.join("; ")}. Config holds plain data; log data types with run.log.`, {
      details: { problems },
    });
  }
  return clean;
}
