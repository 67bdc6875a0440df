import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { storeToRead } from "./store-dir.js";

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), "runlog-store-dir-"));
  folders.push(dir);
  return dir;
}

describe("storeToRead: a root with no store is said out loud, and nothing is created", () => {
  it("a reading command warns that nothing was logged there; a command that goes on says what it does", () => {
    const root = join(temp(), "typo");
    const lines: string[] = [];
    expect(storeToRead(root, (line) => lines.push(line), "runs")).toEqual({ root, exists: false });
    expect(
      storeToRead(root, (line) => lines.push(line), "ui", "an empty one is made there, and runs show once one logs there").exists,
    ).toBe(false);
    expect(lines).toEqual([
      `runlog runs: warning: no runlog store in ${root} (from --dir); nothing was logged there. Pass --dir <root> (the folder holding runlog.db) or set RUNLOG_DIR.`,
      `runlog ui: warning: no runlog store in ${root} (from --dir); an empty one is made there, and runs show once one logs there. Pass --dir <root> (the folder holding runlog.db) or set RUNLOG_DIR.`,
    ]);
    expect(readdirSync(join(root, ".."))).toEqual([]);
  });

  it("a root holding runlog.db is opened without a word", () => {
    const root = join(temp(), "runlog");
    mkdirSync(root);
    writeFileSync(join(root, "runlog.db"), "");
    const lines: string[] = [];
    expect(storeToRead(root, (line) => lines.push(line), "runs")).toEqual({ root, exists: true });
    expect(lines).toEqual([]);
  });
});
