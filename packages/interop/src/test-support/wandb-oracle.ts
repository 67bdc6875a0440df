import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { venvPython } from "@runlog/test-support/python-env";

const MAKE_RUNS = fileURLToPath(new URL("./make_wandb_runs.py", import.meta.url));

/** Real W&B offline runs (see make_wandb_runs.py) written under `dir`/wandb. */
export function makeWandbRuns(dir: string): void {
  execFileSync(venvPython("dev"), [MAKE_RUNS, dir], {
    env: { ...process.env, WANDB_MODE: "offline", WANDB_SILENT: "true", WANDB_DIR: dir },
    stdio: ["ignore", "ignore", "inherit"],
    timeout: 120_000,
  });
}

/** W&B's own reader of a .wandb file: `wandb leet inspect --json` (one record per line). */
export function inspectRecords(file: string): Record<string, unknown>[] {
  const out = execFileSync(venvPython("dev"), ["-m", "wandb", "leet", "inspect", "--json", file], { maxBuffer: 256 * 1024 * 1024 });
  return out
    .toString("utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** `wandb leet inspect --summary --json`: state, summary and config as W&B reads them. */
export function inspectSummary(file: string): {
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  state: string;
  [key: string]: unknown;
} {
  const out = execFileSync(venvPython("dev"), ["-m", "wandb", "leet", "inspect", "--summary", "--json", file], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.toString("utf8"));
}

/** Nested objects as dotted keys (W&B's reader prints history rows this way). */
export function flatten(row: Record<string, unknown>, prefix = "", into: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, value] of Object.entries(row)) {
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) flatten(value as Record<string, unknown>, name, into);
    else into[name] = value;
  }
  return into;
}
