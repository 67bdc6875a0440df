import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function tempDir(name) {
  return mkdtempSync(join(tmpdir(), `runlog-bench-${name}-`));
}

export function cleanup(dir) {
  rmSync(dir, { recursive: true, force: true });
}

export const QUIET = { quiet: true, console: "off", disableStats: true };

/** Prints one result line: what, the measured median, the target, and the verdict. */
export function report(name, value, unit, target, pass, extra = "") {
  console.log(`${pass ? "PASS" : "MISS"}  ${name}: ${value} ${unit}  (target ${target})${extra ? `  ${extra}` : ""}`);
  return pass;
}

export function row(i) {
  return { m0: i, m1: i * 0.5, m2: 1 / (i + 1), m3: Math.sin(i), m4: i % 7, m5: i * 2, m6: -i, m7: i / 3, m8: 42, m9: i & 255 };
}

/**
 * CPU milliseconds each thread of this process has used, by thread id (Linux /proc; empty elsewhere).
 * On a shared machine wall time mostly measures the scheduler; CPU time says what the work costs.
 */
export function threadCpuMs() {
  const out = new Map();
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * 10); // utime + stime, in 10 ms ticks
    }
  } catch {}
  return out;
}
