import { describe, expect, it } from "vitest";
import { NVIDIA_SMI_ARGS, parseNvidiaSmi } from "./nvidia-smi.js";
import { parseDiskstats, parseMeminfo, parseNetDev, parseProcStat, parseProcStatus } from "./proc-readers.js";

// Recorded from `nvidia-smi --query-gpu=<NVIDIA_SMI_FIELDS> --format=csv,noheader,nounits` on a 2×A100 host
// (second GPU without a power reading and fan, as on many data-center boards).
const NVIDIA_SMI_OUTPUT = `0, 87, 41, 30512, 40960, 63, 251.47, 400.00, 1410, 1215, [N/A]
1, 0, 0, 4, 40960, 31, [N/A], 400.00, 210, 1215, [Not Supported]
`;

describe("nvidia-smi parsing", () => {
  it("asks for CSV without header or units", () => {
    expect(NVIDIA_SMI_ARGS[0]).toMatch(/^--query-gpu=index,utilization\.gpu,/);
    expect(NVIDIA_SMI_ARGS[1]).toBe("--format=csv,noheader,nounits");
  });

  it("turns each GPU line into W&B's gpu.<i>.* metrics, skipping [N/A]", () => {
    const metrics = parseNvidiaSmi(NVIDIA_SMI_OUTPUT);
    expect(metrics["gpu.0.gpu"]).toBe(87);
    expect(metrics["gpu.0.memory"]).toBe(41);
    expect(metrics["gpu.0.temp"]).toBe(63);
    expect(metrics["gpu.0.powerWatts"]).toBe(251.47);
    expect(metrics["gpu.0.powerPercent"]).toBeCloseTo(62.8675, 4);
    expect(metrics["gpu.0.memoryAllocated"]).toBeCloseTo((100 * 30512) / 40960, 10);
    expect(metrics["gpu.0.memoryAllocatedBytes"]).toBe(30512 * 1024 * 1024);
    expect(metrics["gpu.0.smClock"]).toBe(1410);
    expect(metrics).not.toHaveProperty("gpu.0.fanSpeed");
    expect(metrics["gpu.1.gpu"]).toBe(0);
    expect(metrics).not.toHaveProperty("gpu.1.powerWatts");
    expect(metrics).not.toHaveProperty("gpu.1.powerPercent");
  });

  it("ignores garbage and empty output", () => {
    expect(parseNvidiaSmi("")).toEqual({});
    expect(parseNvidiaSmi("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n")).toEqual({});
  });
});

describe("/proc parsing (recorded samples)", () => {
  it("reads total and idle CPU time", () => {
    const stat = "cpu  4705 356 584 3699176 23060 0 277 0 0 0\ncpu0 1393280 32966 572056 13343292 6130 0 17875 0 23933 0\n";
    expect(parseProcStat(stat)).toEqual({ idle: 3699176 + 23060, total: 4705 + 356 + 584 + 3699176 + 23060 + 0 + 277 + 0 });
    expect(parseProcStat("garbage")).toBeUndefined();
  });

  it("reads memory, RSS and threads", () => {
    expect(parseMeminfo("MemTotal:       24567788 kB\nMemFree:         1000000 kB\nMemAvailable:   20000000 kB\n")).toEqual({
      totalKb: 24567788,
      availableKb: 20000000,
    });
    expect(parseProcStatus("Name:\tnode\nVmRSS:\t   65284 kB\nThreads:\t11\n")).toEqual({ rssKb: 65284, threads: 11 });
  });

  it("sums network bytes except loopback", () => {
    const netDev = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 9999999    100    0    0    0     0          0         0  9999999     100    0    0    0     0       0          0
  eth0: 1000    10    0    0    0     0          0         0     2000      20    0    0    0     0       0          0
  eth1:  500     5    0    0    0     0          0         0      700       7    0    0    0     0       0          0
`;
    expect(parseNetDev(netDev)).toEqual({ recv: 1500, sent: 2700 });
  });

  it("counts whole disks only (no partitions, loop or dm devices)", () => {
    const diskstats = `   8       0 sda 100 0 2000 0 50 0 4000 0 0 0 0
   8       1 sda1 90 0 1800 0 40 0 3000 0 0 0 0
   7       0 loop0 5 0 10 0 0 0 0 0 0 0 0
 259       0 nvme0n1 10 0 100 0 5 0 50 0 0 0 0
 259       1 nvme0n1p1 10 0 100 0 5 0 50 0 0 0 0
`;
    expect(parseDiskstats(diskstats)).toEqual({ readBytes: (2000 + 100) * 512, writeBytes: (4000 + 50) * 512 });
  });
});
