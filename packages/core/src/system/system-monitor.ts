import { statfsSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { queryNvidiaSmi } from "./nvidia-smi.js";
import { parseDiskstats, parseMeminfo, parseNetDev, parseProcStat, parseProcStatus, readProc } from "./proc-readers.js";

export type SystemSample = Record<string, number>;

/**
 * Samples machine and process metrics every `intervalSeconds` (W&B's names, without the
 * `system/` prefix the run adds). Counters (network, disk I/O) are reported since start.
 * GPU metrics come from nvidia-smi when present; it is probed once and skipped after a miss.
 */
export class SystemMonitor {
  private timer: NodeJS.Timeout | undefined;
  private lastCpu = parseProcStat(readProc("/proc/stat") ?? "");
  private lastProcessCpu = process.cpuUsage();
  private lastSampleAt = Date.now();
  private readonly baseNet = parseNetDev(readProc("/proc/net/dev") ?? "");
  private readonly baseDisk = parseDiskstats(readProc("/proc/diskstats") ?? "");
  private gpuAvailable = true;
  private sampling = false;

  constructor(
    private readonly intervalSeconds: number,
    private readonly onSample: (sample: SystemSample) => void,
    private readonly diskPath = "/",
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sampleNow(), this.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async sampleNow(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const sample = this.sampleHost();
      if (this.gpuAvailable) {
        const gpu = await queryNvidiaSmi();
        if (gpu === undefined) this.gpuAvailable = false;
        else Object.assign(sample, gpu);
      }
      this.onSample(sample);
    } finally {
      this.sampling = false;
    }
  }

  private sampleHost(): SystemSample {
    const sample: SystemSample = {};
    const now = Date.now();
    const cpu = parseProcStat(readProc("/proc/stat") ?? "");
    if (cpu && this.lastCpu && cpu.total > this.lastCpu.total) {
      sample.cpu = 100 * (1 - (cpu.idle - this.lastCpu.idle) / (cpu.total - this.lastCpu.total));
    }
    this.lastCpu = cpu;
    const processCpu = process.cpuUsage();
    const elapsedUs = (now - this.lastSampleAt) * 1000;
    if (elapsedUs > 0) {
      const used = processCpu.user - this.lastProcessCpu.user + processCpu.system - this.lastProcessCpu.system;
      sample["proc.cpu.percent"] = (100 * used) / elapsedUs / Math.max(1, cpus().length);
    }
    this.lastProcessCpu = processCpu;
    this.lastSampleAt = now;
    const status = parseProcStatus(readProc("/proc/self/status") ?? "");
    const rssKb = status.rssKb || process.memoryUsage.rss() / 1024;
    sample["proc.memory.rssMB"] = rssKb / 1024;
    sample["proc.memory.percent"] = (100 * rssKb * 1024) / totalmem();
    if (status.threads > 0) sample["proc.cpu.threads"] = status.threads;
    const memory = parseMeminfo(readProc("/proc/meminfo") ?? "");
    if (memory) {
      sample.memory_percent = 100 * (1 - memory.availableKb / memory.totalKb);
      sample["proc.memory.availableMB"] = memory.availableKb / 1024;
    }
    try {
      const fs = statfsSync(this.diskPath);
      const total = fs.blocks * fs.bsize;
      const free = fs.bavail * fs.bsize;
      sample[`disk.${this.diskPath}.usageGB`] = (total - free) / 1024 ** 3;
      sample[`disk.${this.diskPath}.usagePercent`] = total > 0 ? (100 * (total - free)) / total : 0;
    } catch {
      // statfs is unavailable on some filesystems; disk usage is simply not reported.
    }
    const disk = parseDiskstats(readProc("/proc/diskstats") ?? "");
    sample["disk.in"] = (disk.readBytes - this.baseDisk.readBytes) / 1024 ** 2;
    sample["disk.out"] = (disk.writeBytes - this.baseDisk.writeBytes) / 1024 ** 2;
    const net = parseNetDev(readProc("/proc/net/dev") ?? "");
    sample["network.recv"] = net.recv - this.baseNet.recv;
    sample["network.sent"] = net.sent - this.baseNet.sent;
    return sample;
  }
}
