import { execFile } from "node:child_process";

/** Fields asked of nvidia-smi, in order, and the W&B metric name each becomes (under `gpu.<i>.`). */
export const NVIDIA_SMI_FIELDS = [
  ["index", ""],
  ["utilization.gpu", "gpu"],
  ["utilization.memory", "memory"],
  ["memory.used", "memoryUsedMB"],
  ["memory.total", "memoryTotalMB"],
  ["temperature.gpu", "temp"],
  ["power.draw", "powerWatts"],
  ["power.limit", "powerLimitWatts"],
  ["clocks.sm", "smClock"],
  ["clocks.mem", "memoryClock"],
  ["fan.speed", "fanSpeed"],
] as const;

export const NVIDIA_SMI_ARGS = [`--query-gpu=${NVIDIA_SMI_FIELDS.map(([field]) => field).join(",")}`, "--format=csv,noheader,nounits"];

/**
 * Parses `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` output into W&B-style
 * metrics: gpu.0.gpu, gpu.0.memoryAllocated (%), gpu.0.memoryAllocatedBytes, gpu.0.temp, …
 * Fields reported as "[N/A]" or "[Not Supported]" are left out.
 */
export function parseNvidiaSmi(output: string): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const line of output.split("\n")) {
    if (line.trim() === "") continue;
    const cells = line.split(",").map((cell) => cell.trim());
    const index = Number(cells[0]);
    if (!Number.isInteger(index)) continue;
    const values: Record<string, number> = {};
    NVIDIA_SMI_FIELDS.forEach(([, name], i) => {
      if (name === "") return;
      const value = Number(cells[i]);
      if (cells[i] !== undefined && cells[i] !== "" && Number.isFinite(value)) values[name] = value;
    });
    for (const [name, value] of Object.entries(values)) metrics[`gpu.${index}.${name}`] = value;
    const used = values.memoryUsedMB;
    const total = values.memoryTotalMB;
    if (used !== undefined && total !== undefined && total > 0) {
      metrics[`gpu.${index}.memoryAllocated`] = (100 * used) / total;
      metrics[`gpu.${index}.memoryAllocatedBytes`] = used * 1024 * 1024;
    }
    const power = values.powerWatts;
    const limit = values.powerLimitWatts;
    if (power !== undefined && limit !== undefined && limit > 0) metrics[`gpu.${index}.powerPercent`] = (100 * power) / limit;
  }
  return metrics;
}

/** Runs nvidia-smi if it exists; resolves undefined when there is no NVIDIA GPU or driver. */
export function queryNvidiaSmi(timeoutMs = 5_000): Promise<Record<string, number> | undefined> {
  return new Promise((resolve) => {
    execFile("nvidia-smi", NVIDIA_SMI_ARGS, { timeout: timeoutMs }, (error, stdout) => {
      resolve(error ? undefined : parseNvidiaSmi(stdout));
    });
  });
}
