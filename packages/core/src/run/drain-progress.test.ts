import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CHILD = fileURLToPath(new URL("../test-support/children/drain-line.mjs", import.meta.url));
const stderrOf = (mode: "tty" | "plain") => {
  const out = spawnSync(process.execPath, [CHILD, mode], { encoding: "utf8" });
  expect(out.status, out.stderr).toBe(0);
  return out.stderr;
};

describe("finish()'s drain progress", () => {
  it("on a TTY: one line redrawn in place with what is left, the rate and the time left, ended before the next output", () => {
    const stderr = stderrOf("tty");
    const [drain, after, rest] = stderr.split("\n");
    expect(rest).toBe("");
    expect(after).toBe("runlog: run finished");
    const frames = (drain as string).split("\r").slice(1);
    expect(frames).toHaveLength(4);
    expect(frames.every((frame) => frame.endsWith("\x1b[K"))).toBe(true);
    expect(frames[0]).toBe("runlog: waiting for the store: 30,000 points left (0 s)\x1b[K");
    expect(frames[1]).toBe("runlog: waiting for the store: 20,000 points left · 5,000 points/s · about 4 s left (2 s)\x1b[K");
    expect(frames[3]).toBe("runlog: waiting for the store: 5,000 points left · 4,167 points/s · about 2 s left (6 s)\x1b[K");
  });

  it("elsewhere (logs, CI): plain lines, at most one every 5 s, no control characters", () => {
    const stderr = stderrOf("plain");
    expect(stderr.includes("\r") || stderr.includes("\x1b")).toBe(false);
    expect(stderr.trim().split("\n")).toEqual([
      "runlog: waiting for the store: 30,000 points left (0 s)",
      "runlog: waiting for the store: 5,000 points left · 4,167 points/s · about 2 s left (6 s)",
      "runlog: run finished",
    ]);
  });
});
