/** Stable error codes. Tools and tests match on these, so never rename one. */
export type RunlogErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_VALUE"
  | "VALUE_TOO_LARGE"
  | "RUN_FINISHED"
  | "CONFIG_VALUE_CHANGE"
  | "RESUME_CONFLICT"
  | "RUN_NOT_FOUND"
  | "ARTIFACT_NOT_FOUND"
  | "STEP_REGRESSION"
  | "NO_WATCHER"
  | "ALREADY_WATCHED"
  | "PEER_MISSING"
  | "MODE_UNAVAILABLE"
  | "PATH_OUTSIDE_ROOT"
  | "ARTIFACT_NAME_INVALID"
  | "STORE_ERROR"
  | "LOG_CORRUPT"
  | "PERSIST_FAILED"
  | "STORE_CORRUPT"
  | "MODEL_INVALID"
  | "PROVIDER_UNAVAILABLE"
  | "SERVER_UNAVAILABLE"
  | "SERVER_REJECTED"
  | "UNAUTHORIZED"
  | "SEQ_GAP"
  | "SWEEP_CONFIG_INVALID"
  | "SWEEP_NOT_FOUND"
  | "SWEEP_STATE_INVALID"
  | "AGENT_FAILED"
  | "SOURCE_CORRUPT"
  | "EXPORT_FAILED"
  | "WRITER_LABEL_TAKEN";

const BRAND = Symbol.for("runlog.error");

/**
 * The one error type users see. `code` is stable; `message` says what to do.
 * `isInstance` works across two copies of the package, where `instanceof` does not.
 */
export class RunlogError extends Error {
  override readonly name = "RunlogError";
  readonly code: RunlogErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: RunlogErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }

  static isInstance(value: unknown): value is RunlogError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
Object.defineProperty(RunlogError.prototype, BRAND, { value: true });

/** Short, single-line rendering of a user value for error messages. */
export function describeValue(value: unknown, max = 80): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (typeof value === "number") text = Object.is(value, -0) ? "-0" : String(value);
  else if (typeof value === "bigint") text = `${value}n`;
  else if (typeof value === "function") text = `function ${value.name || "(anonymous)"}`;
  else if (typeof value === "symbol") text = value.toString();
  else {
    try {
      // Plain JSON would show NaN and ±Infinity as null (and throw on bigints).
      text = JSON.stringify(value, readableLeaf) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function readableLeaf(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "bigint") return `${value}n`;
  return value;
}
