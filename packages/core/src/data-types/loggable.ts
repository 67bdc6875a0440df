/**
 * The contract between `run.log` and rich values (Histogram now; Image, Table… later).
 * A value that carries this symbol is serialized by its own method, so the history
 * code never needs a switch over data types.
 */
export const TO_HISTORY = Symbol.for("runlog.toHistory");

export interface HistoryContext {
  /** The flattened key the value is logged under. */
  readonly key: string;
  /** The step the value will land on. */
  readonly step: number;
  /** The run's files folder, for values that write media files. */
  readonly runDir: string;
}

export interface Loggable {
  [TO_HISTORY](context: HistoryContext): Record<string, unknown>;
}

export function isLoggable(value: unknown): value is Loggable {
  return typeof value === "object" && value !== null && typeof (value as Partial<Loggable>)[TO_HISTORY] === "function";
}
