import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Run, RunlogError } from "@runlog/core";
import { writeModelFiles } from "./model-files.js";
import { resolveTf, type Tf } from "./resolve-tf.js";

export interface ModelCheckpointOptions {
  /** The metric that decides "best" (default "val_loss", or "loss" when there is no validation). */
  monitor?: string;
  /** "min", "max", or "auto" (max for accuracy-like names). */
  mode?: "min" | "max" | "auto";
  /** Only log a checkpoint when the monitored metric improves. */
  saveBestOnly?: boolean;
  /** Every N epochs (default 1). */
  saveFreq?: number;
  /** Artifact name (default "model-<run id>"). */
  name?: string;
  tf?: Tf;
}

/**
 * Saves the model at epoch ends (tfjs layout: model.json + weights.bin) as a `model` artifact with
 * aliases `latest`, `epoch_N`, and `best` when the monitored metric improved.
 * Load it back with `loadModel(await run.useModel("<name>:best"))`.
 */
export function modelCheckpoint(run: Run, options: ModelCheckpointOptions = {}): import("@tensorflow/tfjs").CustomCallback {
  const tf = resolveTf(options.tf);
  const mode = options.mode ?? "auto";
  if (mode !== "min" && mode !== "max" && mode !== "auto")
    throw new RunlogError("INVALID_ARGUMENT", `modelCheckpoint: mode must be "min", "max" or "auto", got ${JSON.stringify(mode)}.`);
  const saveFreq = options.saveFreq ?? 1;
  if (!Number.isSafeInteger(saveFreq) || saveFreq < 1)
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `modelCheckpoint: saveFreq must be a positive integer (epochs), got ${JSON.stringify(saveFreq)}.`,
    );
  const name = options.name ?? `model-${run.id}`;
  let best: number | undefined;
  let model: { save(handler: unknown): Promise<unknown> } | undefined;

  class RunlogCheckpoint extends tf.CustomCallback {
    constructor() {
      super(
        {
          onEpochEnd: async (epoch: number, logs?: Record<string, unknown>) => {
            if ((epoch + 1) % saveFreq !== 0 || model === undefined) return;
            const monitor = options.monitor ?? (typeof logs?.val_loss === "number" ? "val_loss" : "loss");
            const value = logs?.[monitor];
            if (typeof value !== "number")
              throw new RunlogError(
                "INVALID_ARGUMENT",
                `modelCheckpoint: the fit logs have no "${monitor}"; monitor one of ${Object.keys(logs ?? {}).join(", ")}.`,
              );
            const maximize = mode === "max" || (mode === "auto" && /acc|auc|f1|precision|recall/i.test(monitor));
            const improved = best === undefined || (maximize ? value > best : value < best);
            if (improved) best = value;
            if (options.saveBestOnly && !improved) return;
            const dir = mkdtempSync(join(tmpdir(), "runlog-checkpoint-"));
            try {
              await model.save(
                tf.io.withSaveHandler(async (artifacts) => {
                  writeModelFiles(dir, artifacts);
                  return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
                }),
              );
              await run.logModel(dir, { name, aliases: [`epoch_${epoch}`, ...(improved ? ["best"] : [])] });
            } finally {
              rmSync(dir, { recursive: true, force: true });
            }
          },
        },
        "never",
      ); // epoch ends only: no per-batch work (runlogCallback yields to the event loop)
    }

    override setModel(container: unknown): void {
      model = container as typeof model;
    }
  }
  return new RunlogCheckpoint();
}
