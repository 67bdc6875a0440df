import { type Run, RunlogError } from "@runlog/core";
import { allowPlainCallbacksAnywhere } from "./mixed-callbacks.js";
import { resolveTf, type Tf } from "./resolve-tf.js";

type CustomCallback = import("@tensorflow/tfjs").CustomCallback;

export type LogFreq = "epoch" | "batch" | number;

export interface RunlogCallbackOptions {
  /** "epoch" (default): epoch metrics only; "batch": every batch too; N: every N batches. */
  logFreq?: LogFreq;
  /** Your tfjs namespace (recommended: avoids two copies of tfjs, tensorflow/tfjs#1792). */
  tf?: Tf;
  /**
   * Added to tfjs's epoch number in `epoch/epoch`. Default: continue the run. A later `fit()` on the
   * same run (tfjs restarts at epoch 0) goes on after the last `epoch/epoch` logged, and `batch/step`
   * after the last `batch/step`, so both stay monotonic; a fit given `initialEpoch` is not shifted
   * when that already continues the run. Set a number to choose the offset yourself (0: tfjs's own).
   */
  epochOffset?: number;
}

const SKIPPED = new Set(["batch", "size", "num_steps"]);

function validateEpochOffset(epochOffset: unknown): number | undefined {
  if (epochOffset === undefined || (typeof epochOffset === "number" && Number.isSafeInteger(epochOffset) && epochOffset >= 0))
    return epochOffset;
  throw new RunlogError(
    "INVALID_ARGUMENT",
    `runlogCallback: epochOffset must be a non-negative integer, got ${JSON.stringify(epochOffset)}.`,
  );
}

/** The last number logged under `key` on this run (its summary), or undefined. */
function lastLogged(run: Run, key: string): number | undefined {
  const value = run.summary.get(key);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function validateLogFreq(logFreq: unknown): LogFreq {
  if (logFreq === "epoch" || logFreq === "batch") return logFreq;
  if (typeof logFreq === "number" && Number.isSafeInteger(logFreq) && logFreq >= 1) return logFreq;
  throw new RunlogError(
    "INVALID_ARGUMENT",
    `runlogCallback: logFreq must be "epoch", "batch" or a positive integer, got ${JSON.stringify(logFreq)}.`,
  );
}

interface ModelLike {
  optimizer?: { learningRate?: number };
  layers: { name: string; getClassName(): string; outputShape: unknown; countParams(): number }[];
  name: string;
  countParams(): number;
  trainableWeights: { shape: number[] }[];
}

function modelSummary(model: ModelLike): Record<string, unknown> {
  const trainable = model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
  return {
    name: model.name,
    layers: model.layers.map((layer) => ({
      name: layer.name,
      className: layer.getClassName(),
      outputShape: layer.outputShape,
      params: layer.countParams(),
    })),
    totalParams: model.countParams(),
    trainableParams: trainable,
  };
}

/**
 * A `model.fit` / `fitDataset` callback that logs batch metrics (`batch/*` against a global
 * `batch/step`), epoch metrics (`epoch/*` against `epoch/epoch`), validation metrics, the learning
 * rate, samples/s and epoch time; fit params and the model summary go to the config. It
 * subclasses tf.CustomCallback, so it mixes with tfjs's own callbacks and plain objects in any order,
 * and yields to the event loop (the run keeps flushing during long fits). Repeated fits on one run
 * continue `epoch/epoch` and `batch/step` (see `epochOffset`).
 */
export function runlogCallback(run: Run, options: RunlogCallbackOptions = {}): CustomCallback {
  const tf = resolveTf(options.tf);
  const logFreq = validateLogFreq(options.logFreq ?? "epoch");
  const fixedEpochOffset = validateEpochOffset(options.epochOffset);
  allowPlainCallbacksAnywhere(tf);
  let model: ModelLike | undefined;
  let params: Record<string, unknown> = {};
  let step = 0;
  let epochOffset = 0;
  let epochStarted = 0;
  let epochSamples = 0;

  const learningRate = (): Record<string, number> => {
    const lr = model?.optimizer?.learningRate;
    return typeof lr === "number" ? { learning_rate: lr } : {};
  };
  const metrics = (logs: Record<string, unknown> | undefined, prefix: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [key, value] of Object.entries(logs ?? {}))
      if (!SKIPPED.has(key) && typeof value === "number") out[`${prefix}${key}`] = value;
    return out;
  };

  // `self` is the callback tfjs calls: ours, or the CustomCallback tfjs wraps us in when a plain object comes first.
  const handlers = {
    onTrainBegin: async (self: { params?: Record<string, unknown>; model?: unknown }) => {
      params = self.params ?? {};
      model ??= self.model as ModelLike | undefined;
      // Continue the run, as W&B's Keras callback continues its global step (initial_global_step).
      const initialEpoch = typeof params.initialEpoch === "number" ? params.initialEpoch : 0;
      const lastEpoch = lastLogged(run, "epoch/epoch");
      epochOffset = fixedEpochOffset ?? (lastEpoch === undefined ? 0 : Math.max(0, lastEpoch + 1 - initialEpoch));
      step = Math.max(step, lastLogged(run, "batch/step") ?? 0);
      run.defineMetric("batch/step");
      run.defineMetric("batch/*", { stepMetric: "batch/step" });
      run.defineMetric("epoch/epoch");
      run.defineMetric("epoch/*", { stepMetric: "epoch/epoch" });
      const fit = {
        epochs: params.epochs,
        batchSize: params.batchSize,
        samples: params.samples,
        steps: params.steps,
        metrics: params.metrics,
        validation: params.doValidation,
        initialEpoch: params.initialEpoch,
        epochOffset,
      };
      run.config.update({ fit, ...(model ? { model: modelSummary(model) } : {}) }, { allowValChange: true });
    },
    onEpochBegin: async (_self: unknown) => {
      epochStarted = performance.now();
      epochSamples = 0;
    },
    onBatchEnd: async (_self: unknown, batch: number, logs?: Record<string, unknown>) => {
      step++;
      epochSamples += typeof logs?.size === "number" ? logs.size : 0;
      if (logFreq === "epoch" || (typeof logFreq === "number" && batch % logFreq !== 0)) return;
      run.log({ "batch/step": step, ...metrics(logs, "batch/"), ...prefixed(learningRate(), "batch/") });
    },
    onEpochEnd: async (_self: unknown, epoch: number, logs?: Record<string, unknown>) => {
      const seconds = (performance.now() - epochStarted) / 1000;
      run.log({
        "epoch/epoch": epoch + epochOffset,
        ...metrics(logs, "epoch/"),
        ...prefixed(learningRate(), "epoch/"),
        "epoch/time": seconds,
        ...(epochSamples > 0 && seconds > 0 ? { "epoch/samples_per_sec": epochSamples / seconds } : {}),
      });
    },
  };

  class RunlogCallback extends tf.CustomCallback {
    constructor() {
      super(
        {
          onTrainBegin: async () => handlers.onTrainBegin(this as never),
          onEpochBegin: async () => handlers.onEpochBegin(this),
          onBatchEnd: async (batch: number, logs?: Record<string, unknown>) => handlers.onBatchEnd(this, batch, logs),
          onEpochEnd: async (epoch: number, logs?: Record<string, unknown>) => handlers.onEpochEnd(this, epoch, logs),
        },
        "auto",
      );
    }

    override setModel(container: unknown): void {
      model = container as ModelLike;
    }
  }
  const callback = new RunlogCallback();
  // A plain object first in `callbacks` makes tfjs wrap every entry in `new CustomCallback(entry)`, which
  // calls `entry.onTrainBegin` etc. with itself as `this`; CustomCallback's own methods would then call
  // themselves forever (heap exhaustion). Called with another `this`, ours run the handlers directly.
  const base = tf.CustomCallback.prototype as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
  for (const method of ["onTrainBegin", "onTrainEnd", "onEpochBegin", "onEpochEnd", "onBatchBegin", "onBatchEnd"]) {
    const handler = (handlers as Record<string, (self: unknown, ...args: unknown[]) => Promise<void>>)[method] ?? (async () => {});
    Object.defineProperty(callback, method, {
      value(this: unknown, ...args: unknown[]) {
        return this === callback ? base[method]?.apply(this, args) : handler(this, ...args);
      },
    });
  }
  return callback;
}

function prefixed(values: Record<string, number>, prefix: string): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [`${prefix}${key}`, value]));
}
