import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { venvPython } from "@runlog/test-support/python-env";

const MAKE = fileURLToPath(new URL("./make_tensorboard_runs.py", import.meta.url));
const READ = fileURLToPath(new URL("./read_tensorboard.py", import.meta.url));

/** Event files from torch.utils.tensorboard (run "torch") and tensorboardX (run "nested/tbx") under `dir`. */
export function makeTensorboardRuns(dir: string): void {
  execFileSync(venvPython("dev"), [MAKE, dir], { stdio: ["ignore", "ignore", "inherit"], timeout: 120_000 });
}

export interface TensorboardView {
  scalars: Record<string, [number, number, number][]>;
  histograms: Record<string, [number, number[]][]>;
  images: Record<string, [number, number, number, number][]>;
}

/** What TensorBoard's EventAccumulator reads from a run folder. */
export function readWithTensorboard(runDir: string): TensorboardView {
  return JSON.parse(execFileSync(venvPython("dev"), [READ, runDir], { maxBuffer: 64 * 1024 * 1024 }).toString("utf8"));
}

const READ_EXPORT = fileURLToPath(new URL("./read_tensorboard_export.py", import.meta.url));

export interface TensorboardExportView {
  /** tag → [step, wall time, value] (float64, non-finite tagged as in read_parquet.py). */
  scalars: Record<string, [number, number, unknown][]>;
  /** The scalars TensorBoard's web server serves (its data provider), in the same form. */
  served_scalars: Record<string, [number, number, unknown][]>;
  text: Record<string, [number, number, string][]>;
  hparams: Record<string, unknown>;
  /** tag → [step, min, max, num, bucket_limit, bucket]. */
  histograms: Record<string, [number, number, number, number, number[], number[]][]>;
  /** tag → [step, width, height, sha256 of the encoded image]. */
  images: Record<string, [number, number, number, string][]>;
}

/** What TensorBoard's EventAccumulators read from an exported run folder. */
export function readExportWithTensorboard(runDir: string): TensorboardExportView {
  return JSON.parse(execFileSync(venvPython("dev"), [READ_EXPORT, runDir], { maxBuffer: 256 * 1024 * 1024 }).toString("utf8"));
}
