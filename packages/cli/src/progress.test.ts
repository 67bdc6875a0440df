import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { progressReporter } from "./progress.js";

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, write: (chunk: string) => writes.push(chunk) > 0 };
}

describe("progressReporter", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => vi.useRealTimers());

  it("on a TTY redraws one line with the rate and the time left", () => {
    const out = stream(true);
    const progress = progressReporter("put data", out);
    progress.update({ filesDone: 1, filesTotal: 4, bytesDone: 2 ** 20 });
    expect(out.writes).toEqual([]); // nothing in the first second
    vi.setSystemTime(2_000);
    progress.update({ filesDone: 2, filesTotal: 4, bytesDone: 2 * 2 ** 20 });
    vi.setSystemTime(3_000);
    progress.update({ filesDone: 3, filesTotal: 4, bytesDone: 3 * 2 ** 20 });
    progress.done({ filesDone: 4, filesTotal: 4, bytesDone: 4 * 2 ** 20 });
    expect(out.writes[0]?.endsWith("\u001b[K")).toBe(true);
    expect(out.writes[0]?.slice(0, -3)).toMatch(/^\rput data .* 2\/4 files {2}2\.0 MB {2}1\.0 MB\/s {2}ETA 2 s$/);
    expect(out.writes[1]).toMatch(/3\/4 files .* ETA 1 s/);
    expect(out.writes.every((w) => w.startsWith("\r") || w === "\n")).toBe(true);
    expect(out.writes.at(-1)).toBe("\n");
  });

  it("elsewhere prints plain lines, at most one per 5 s", () => {
    const out = stream(false);
    const progress = progressReporter("get data", out);
    vi.setSystemTime(1_500);
    progress.update({ filesDone: 1, filesTotal: 10, bytesDone: 0 });
    vi.setSystemTime(2_000);
    progress.update({ filesDone: 2, filesTotal: 10, bytesDone: 0 });
    vi.setSystemTime(7_000);
    progress.update({ filesDone: 5, filesTotal: 10, bytesDone: 0 });
    expect(out.writes).toHaveLength(2);
    expect(out.writes.every((w) => w.endsWith("\n") && !w.includes("\r"))).toBe(true);
    expect(out.writes[1]).toMatch(/5\/10 files .* ETA 7 s\n$/);
  });

  it("counts another unit (sync's runs) with that unit's rate, and clears its line for output in between", () => {
    const out = stream(true);
    const progress = progressReporter("sync", out, "runs");
    vi.setSystemTime(2_000);
    progress.update({ filesDone: 1, filesTotal: 4, bytesDone: 0 });
    progress.clear();
    vi.setSystemTime(4_000);
    progress.update({ filesDone: 3, filesTotal: 4, bytesDone: 0 });
    expect(out.writes[0]?.slice(0, -3)).toMatch(/^\rsync [█░]{24} 1\/4 runs {2}0\.5 runs\/s {2}ETA 6 s$/);
    expect(out.writes[0]).not.toMatch(/MB/);
    expect(out.writes[1]).toBe("\r\u001b[K");
    expect(out.writes[2]?.slice(0, -3)).toMatch(/^\rsync [█░]{24} 3\/4 runs {2}0\.8 runs\/s {2}ETA 2 s$/);
  });

  it("with the bytes to do known, a single file's bar and time left go by its bytes", () => {
    const out = stream(true);
    const progress = progressReporter("import tensorboard", out);
    vi.setSystemTime(2_000);
    progress.update({ filesDone: 0, filesTotal: 1, bytesDone: 2 ** 20, bytesTotal: 4 * 2 ** 20 });
    progress.done({ filesDone: 1, filesTotal: 1, bytesDone: 4 * 2 ** 20, bytesTotal: 4 * 2 ** 20 });
    expect(out.writes[0]?.slice(0, -3)).toMatch(/^\rimport tensorboard █{6}░{18} 0\/1 files {2}1\.0 MB {2}0\.5 MB\/s {2}ETA 6 s$/);
    expect(out.writes[1]?.slice(0, -3)).toMatch(/^\rimport tensorboard █{24} 1\/1 files {2}4\.0 MB {2}2\.0 MB\/s$/);
  });
});
