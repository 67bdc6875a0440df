import { readFileSync } from "node:fs";

/** Parsers for Linux /proc files. Pure functions over text, so they are tested on recorded samples. */

export interface CpuTimes {
  readonly idle: number;
  readonly total: number;
}

export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (line === undefined) return undefined;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle, total };
}

export function parseMeminfo(text: string): { totalKb: number; availableKb: number } | undefined {
  const get = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const totalKb = get("MemTotal");
  const availableKb = get("MemAvailable") ?? get("MemFree");
  return totalKb === undefined || availableKb === undefined ? undefined : { totalKb, availableKb };
}

export function parseProcStatus(text: string): { rssKb: number; threads: number } {
  const rss = /^VmRSS:\s+(\d+)/m.exec(text);
  const threads = /^Threads:\s+(\d+)/m.exec(text);
  return { rssKb: rss ? Number(rss[1]) : 0, threads: threads ? Number(threads[1]) : 0 };
}

/** Bytes received and sent on all interfaces except loopback. */
export function parseNetDev(text: string): { recv: number; sent: number } {
  let recv = 0;
  let sent = 0;
  for (const line of text.split("\n").slice(2)) {
    const [name, rest] = line.split(":");
    if (rest === undefined || name === undefined || name.trim() === "lo") continue;
    const fields = rest.trim().split(/\s+/).map(Number);
    recv += fields[0] ?? 0;
    sent += fields[8] ?? 0;
  }
  return { recv, sent };
}

/** Sectors read and written by whole disks (partitions and virtual devices skipped), in bytes. */
export function parseDiskstats(text: string): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    const name = fields[2];
    if (name === undefined || fields.length < 10) continue;
    if (
      /^(loop|ram|dm-|zram|sr)/.test(name) ||
      /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+)\d+$/.test(name) ||
      /^nvme\d+n\d+p\d+$/.test(name) ||
      /^mmcblk\d+p\d+$/.test(name)
    )
      continue;
    readBytes += Number(fields[5]) * 512;
    writeBytes += Number(fields[9]) * 512;
  }
  return { readBytes, writeBytes };
}

export function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
