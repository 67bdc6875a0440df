import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect } from "vitest";

/**
 * Fresh folders for one suite's tests, removed after each test. Call inside the suite's
 * `describe` (not at import time), so importing `@runlog/core/testing` registers no hooks.
 */
export function scratchFolders(): () => string {
  const made: string[] = [];
  afterEach(() => {
    // Retries: a finished run's store worker may still be closing (checkpointing) in the background.
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), "runlog-contract-"));
    made.push(dir);
    return dir;
  };
}

/** Fails the test (not the suite's code) when `value` is missing, and narrows it. */
export function present<T>(value: T | undefined, what: string): T {
  expect(value, what).toBeDefined();
  return value as T;
}

/** Polls `condition` until it holds; fails the test with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) expect.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
