import type { RunlogErrorCode } from "./errors.js";

interface ErrorEntry {
  /** What went wrong, in a few words (the core README's error table says the same). */
  readonly meaning: string;
  /**
   * The HTTP status a server answers with this code. 500 for codes a client never causes over
   * HTTP (an online client retries 5xx and gives up on 4xx, so a change here changes behaviour).
   */
  readonly status: number;
}

/**
 * Every code in one table: its meaning and HTTP status. Typed over the whole union, so a new
 * code does not compile until it has a row here (and the README test wants it listed there).
 * One row per line, like the union, so parallel additions merge line by line.
 */
export const ERROR_TABLE: { readonly [C in RunlogErrorCode]: ErrorEntry } = {
  INVALID_ARGUMENT: { status: 400, meaning: "an option or argument is missing, unknown or malformed" },
  INVALID_VALUE: { status: 400, meaning: "a logged or configured value cannot be stored (wrong type, NaN key, cycle)" },
  VALUE_TOO_LARGE: { status: 413, meaning: "a value or request is over its size limit" },
  RUN_FINISHED: { status: 500, meaning: "the run is finished; it can no longer change" },
  CONFIG_VALUE_CHANGE: { status: 500, meaning: "a config key already holds another value (pass allowValChange)" },
  RESUME_CONFLICT: { status: 500, meaning: "the run exists (or does not) against what resume asked for" },
  RUN_NOT_FOUND: { status: 404, meaning: "no run with that path" },
  ARTIFACT_NOT_FOUND: { status: 404, meaning: "no artifact, version or alias with that name" },
  STEP_REGRESSION: { status: 500, meaning: "a step lower than the run's current step (onStepRegression: error)" },
  NO_WATCHER: { status: 500, meaning: "no imported adapter can watch this model" },
  ALREADY_WATCHED: { status: 500, meaning: "the model is already watched by this run" },
  PEER_MISSING: { status: 501, meaning: "a framework an adapter needs (its peer dependency) is not installed" },
  MODE_UNAVAILABLE: { status: 501, meaning: "a mode, feature or framework peer is not available here" },
  PATH_OUTSIDE_ROOT: { status: 400, meaning: "a path leaves the folder it must stay in" },
  ARTIFACT_NAME_INVALID: { status: 400, meaning: "an artifact name, type or alias is not allowed" },
  STORE_ERROR: { status: 500, meaning: "the store could not read or write" },
  LOG_CORRUPT: { status: 500, meaning: "a transaction log has damaged frames (the intact ones were applied)" },
  PERSIST_FAILED: { status: 500, meaning: "the run's data could not be made durable (disk full, I/O error)" },
  STORE_CORRUPT: { status: 500, meaning: "the store's file is damaged; it is not written or served" },
  MODEL_INVALID: { status: 500, meaning: "a model file is not valid (e.g. not ONNX protobuf)" },
  PROVIDER_UNAVAILABLE: { status: 500, meaning: "an execution provider (e.g. an ONNX backend) is not installed" },
  SERVER_UNAVAILABLE: { status: 500, meaning: "the team server could not be reached in time" },
  SERVER_REJECTED: { status: 500, meaning: "the team server refused the request" },
  UNAUTHORIZED: { status: 401, meaning: "a missing or wrong API key, or a key without that scope" },
  SEQ_GAP: { status: 409, meaning: "records arrived after a gap in their sequence numbers" },
  SWEEP_CONFIG_INVALID: { status: 400, meaning: "a sweep config breaks W&B's schema (the message names the path)" },
  SWEEP_NOT_FOUND: { status: 404, meaning: "no sweep with that id" },
  SWEEP_STATE_INVALID: { status: 409, meaning: "a sweep cannot move to that state (e.g. resume a finished sweep)" },
  AGENT_FAILED: { status: 500, meaning: "a sweep agent gave up after repeated trial failures" },
  SOURCE_CORRUPT: { status: 400, meaning: "an imported file is damaged (the message names the file and offset)" },
  EXPORT_FAILED: { status: 500, meaning: "an export could not write its file (the out path is not a writable folder)" },
  WRITER_LABEL_TAKEN: { status: 409, meaning: "a shared-mode run already has a live writer with that label" },
};

/** The HTTP status a server answers a RunlogError of `code` with. */
export function httpStatusOf(code: RunlogErrorCode): number {
  return ERROR_TABLE[code].status;
}
