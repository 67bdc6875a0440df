import { type ParseArgsConfig, parseArgs } from "node:util";

/**
 * A mistake in how a command was called: printed as one line with the next step, exit code 2.
 * Not a RunlogError: nothing went wrong in Runlog, and there is no stored state to describe.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function isUsageError(error: unknown): error is UsageError {
  return error instanceof UsageError;
}

interface NodeParseError {
  code?: string;
  message: string;
}

/** Node's parseArgs messages, in our words (they mention JavaScript APIs and `--` quoting tricks). */
function ourWords(error: NodeParseError): string {
  const option = /'(-{1,2}[^' ]+)/.exec(error.message)?.[1];
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${option ?? error.message}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /argument missing/.test(error.message) ? `${option ?? "an option"} needs a value` : `${option ?? "an option"} takes no value`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
      const arg = /'([^']+)'/.exec(error.message)?.[1];
      return `unexpected argument ${arg === undefined ? "" : JSON.stringify(arg)}`.trim();
    }
    default:
      return error.message;
  }
}

/** `parseArgs` whose mistakes are UsageErrors. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as NodeParseError).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) throw new UsageError(ourWords(error as NodeParseError));
    throw error;
  }
}

/** The closest of `names` to a mistyped `word`, when it is close (edit distance ≤ 2). */
export function closest(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of names) {
    const d = distance(word, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
