import { describeValue, type Run, RunlogError, Table } from "@runlog/core";
import type { Tensor } from "onnxruntime-node";
import { type InferenceSessionLike, isInferenceSession } from "./session.js";

export interface EvalBatch {
  readonly feeds: Record<string, Tensor>;
  /** Class index per sample, for accuracy. */
  readonly labels?: ArrayLike<number>;
}

export interface EvaluateOptions {
  /** Which output holds the scores (default: the session's first output). */
  readonly output?: string;
  /** "accuracy" (top-1 against labels, when batches carry labels) is the one built in. Default ["accuracy"]. */
  readonly metrics?: readonly "accuracy"[];
  /** Another session run on the same feeds, or the reference outputs per batch (e.g. PyTorch's), flattened. */
  readonly reference?: InferenceSessionLike | readonly ArrayLike<number>[];
  /** Log a per-batch Table and the totals (summary `eval/*`). */
  readonly run?: Run;
  readonly prefix?: string;
}

export interface EvaluateResult {
  readonly samples: number;
  readonly accuracy?: number;
  readonly maxAbsDiff?: number;
  readonly meanAbsDiff?: number;
  /** Mean over samples of the cosine similarity between the two output rows. */
  readonly cosine?: number;
  /** Share of samples whose argmax agrees with the reference's. */
  readonly top1Agreement?: number;
}

function argmax(values: ArrayLike<number>, from: number, width: number): number {
  let best = from;
  for (let i = from + 1; i < from + width; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best - from;
}

/**
 * Runs a dataset through a session: top-1 accuracy against labels, and against a reference
 * (another session or stored outputs) the max/mean absolute difference, cosine similarity and
 * top-1 agreement — the checks that an exported model still matches its source.
 */
export async function evaluate(
  session: InferenceSessionLike,
  dataset: Iterable<EvalBatch> | AsyncIterable<EvalBatch>,
  options: EvaluateOptions = {},
): Promise<EvaluateResult> {
  if (!isInferenceSession(session))
    throw new RunlogError("INVALID_ARGUMENT", `evaluate needs an onnxruntime InferenceSession, got ${describeValue(session)}.`);
  const outputName = options.output ?? session.outputNames[0];
  if (outputName === undefined || !session.outputNames.includes(outputName)) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `The session has no output ${describeValue(outputName)}; outputs: ${session.outputNames.join(", ")}.`,
    );
  }
  const metrics = options.metrics ?? ["accuracy"];
  const unknown = metrics.filter((metric) => metric !== "accuracy");
  if (unknown.length > 0)
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `Unknown metrics ${describeValue(unknown)}; evaluate computes "accuracy" (and reference diffs with reference).`,
    );
  const prefix = options.prefix ?? "eval";
  const rows: unknown[][] = [];
  let samples = 0;
  let correct = 0;
  let labelled = 0;
  let maxAbs = 0;
  let sumAbs = 0;
  let compared = 0;
  let cosineSum = 0;
  let agree = 0;
  let referenced = 0;
  let batchIndex = 0;
  for await (const batch of dataset) {
    if (batch === null || typeof batch !== "object" || typeof batch.feeds !== "object") {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `Each dataset item must be { feeds, labels? }, got ${describeValue(batch)} at batch ${batchIndex}.`,
      );
    }
    const output = (await session.run(batch.feeds))[outputName] as Tensor;
    const values = output.data as Float32Array;
    const n = Number(output.dims[0] ?? 1);
    const width = values.length / n;
    let batchCorrect = 0;
    if (batch.labels && metrics.includes("accuracy")) {
      if (batch.labels.length !== n)
        throw new RunlogError("INVALID_ARGUMENT", `Batch ${batchIndex} has ${n} samples but ${batch.labels.length} labels.`);
      for (let s = 0; s < n; s++) if (argmax(values, s * width, width) === Number(batch.labels[s])) batchCorrect++;
      correct += batchCorrect;
      labelled += n;
    }
    let batchMax = Number.NaN;
    let batchAgree = Number.NaN;
    if (options.reference !== undefined) {
      const reference = isInferenceSession(options.reference)
        ? (((await options.reference.run(batch.feeds)) as Record<string, Tensor>)[outputName]?.data as ArrayLike<number>)
        : (options.reference as readonly ArrayLike<number>[])[batchIndex];
      if (reference === undefined || reference.length !== values.length) {
        throw new RunlogError(
          "INVALID_ARGUMENT",
          `The reference for batch ${batchIndex} has ${reference?.length ?? 0} values; the model output has ${values.length}.`,
        );
      }
      batchMax = 0;
      let batchAgreeCount = 0;
      for (let s = 0; s < n; s++) {
        let dot = 0;
        let a2 = 0;
        let b2 = 0;
        for (let i = s * width; i < (s + 1) * width; i++) {
          const a = values[i] as number;
          const b = reference[i] as number;
          const diff = Math.abs(a - b);
          if (diff > batchMax) batchMax = diff;
          sumAbs += diff;
          dot += a * b;
          a2 += a * a;
          b2 += b * b;
        }
        cosineSum += a2 === 0 || b2 === 0 ? (a2 === b2 ? 1 : 0) : dot / Math.sqrt(a2 * b2);
        if (argmax(values, s * width, width) === argmax(reference, s * width, width)) batchAgreeCount++;
      }
      maxAbs = Math.max(maxAbs, batchMax);
      compared += values.length;
      agree += batchAgreeCount;
      referenced += n;
      batchAgree = batchAgreeCount / n;
    }
    samples += n;
    rows.push([batchIndex, n, batch.labels ? batchCorrect / n : Number.NaN, batchMax, batchAgree]);
    batchIndex++;
  }
  const result: EvaluateResult = {
    samples,
    ...(labelled > 0 ? { accuracy: correct / labelled } : {}),
    ...(referenced > 0
      ? { maxAbsDiff: maxAbs, meanAbsDiff: sumAbs / compared, cosine: cosineSum / referenced, top1Agreement: agree / referenced }
      : {}),
  };
  if (options.run) {
    options.run.log({
      [`${prefix}/batches`]: new Table({ columns: ["batch", "samples", "accuracy", "max_abs_diff", "top1_agreement"], data: rows }),
    });
    options.run.summary.update(
      Object.fromEntries(
        Object.entries(result).map(([key, value]) => [`${prefix}/${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`, value]),
      ),
    );
  }
  return result;
}
