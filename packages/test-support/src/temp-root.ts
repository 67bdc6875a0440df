import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";

const roots: string[] = [];

/** A fresh runlog root for one test, removed afterwards. */
export function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "runlog-test-"));
  roots.push(root);
  return root;
}

afterEach(() => {
  // Retries: a finished run's store worker may still be closing (checkpointing) in the background.
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

/** Settings for test runs: no console capture or stats noise unless a test wants them. */
export const QUIET = { quiet: true, console: "off", disableStats: true } as const;
