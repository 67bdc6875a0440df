import { describeValue, RunlogError } from "../errors.js";
import { type Loggable, TO_HISTORY } from "./loggable.js";

/** W&B's limit: a histogram has at most 512 bins. */
export const MAX_HISTOGRAM_BINS = 512;

export interface HistogramData {
  readonly values: ArrayLike<number>;
  readonly bins: ArrayLike<number>;
}

/**
 * A histogram, serialized as W&B does: `{ _type: "histogram", values, bins }`
 * with `bins.length === values.length + 1`.
 */
export class Histogram implements Loggable {
  readonly values: readonly number[];
  readonly bins: readonly number[];

  constructor(source: ArrayLike<number> | HistogramData, options: { numBins?: number } = {}) {
    if (isHistogramData(source)) {
      const { values, bins } = fromPrecomputed(source);
      this.values = values;
      this.bins = bins;
      return;
    }
    const numBins = options.numBins ?? 64;
    if (!Number.isInteger(numBins) || numBins < 1 || numBins > MAX_HISTOGRAM_BINS) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `numBins must be an integer from 1 to ${MAX_HISTOGRAM_BINS}, got ${describeValue(numBins)}.`,
      );
    }
    if (!isNumberArrayLike(source)) {
      throw new RunlogError("INVALID_VALUE", `Histogram needs an array of numbers or { values, bins }, got ${describeValue(source)}.`);
    }
    const { values, bins } = computeHistogram(source, numBins);
    this.values = values;
    this.bins = bins;
  }

  toJSON(): { _type: "histogram"; values: number[]; bins: number[] } {
    return { _type: "histogram", values: [...this.values], bins: [...this.bins] };
  }

  [TO_HISTORY](): Record<string, unknown> {
    return this.toJSON();
  }
}

function isHistogramData(value: unknown): value is HistogramData {
  return (
    typeof value === "object" &&
    value !== null &&
    !ArrayBuffer.isView(value) &&
    !Array.isArray(value) &&
    "values" in value &&
    "bins" in value
  );
}

function isNumberArrayLike(value: unknown): value is ArrayLike<number> {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return !(value instanceof BigInt64Array || value instanceof BigUint64Array);
  }
  return Array.isArray(value) && value.every((v) => typeof v === "number");
}

function fromPrecomputed(source: HistogramData): { values: number[]; bins: number[] } {
  if (!isNumberArrayLike(source.values) || !isNumberArrayLike(source.bins)) {
    throw new RunlogError("INVALID_VALUE", "Histogram { values, bins } must both be arrays of numbers.");
  }
  const values = Array.from(source.values);
  const bins = Array.from(source.bins);
  if (values.length > MAX_HISTOGRAM_BINS) {
    throw new RunlogError("INVALID_VALUE", `The maximum length of a histogram is ${MAX_HISTOGRAM_BINS}, got ${values.length} bins.`);
  }
  if (bins.length !== values.length + 1) {
    throw new RunlogError(
      "INVALID_VALUE",
      `Histogram bins must have one more edge than values (got ${bins.length} edges for ${values.length} values).`,
    );
  }
  for (let i = 1; i < bins.length; i++) {
    if (!((bins[i] as number) >= (bins[i - 1] as number))) {
      throw new RunlogError("INVALID_VALUE", "Histogram bin edges must be finite and non-decreasing.");
    }
  }
  return { values, bins };
}

/** numpy.histogram semantics: equal-width bins over [min, max] of the finite values. */
export function computeHistogram(data: ArrayLike<number>, numBins: number): { values: number[]; bins: number[] } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min > max) {
    min = 0;
    max = 1;
  } else if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / numBins;
  const bins = new Array<number>(numBins + 1);
  for (let i = 0; i <= numBins; i++) bins[i] = min + i * width;
  bins[numBins] = max;
  const counts = new Array<number>(numBins).fill(0);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) continue;
    let bin = Math.floor((v - min) / width);
    if (bin >= numBins) bin = numBins - 1;
    // numpy's correction: the division can round across an edge, so the stored edges decide
    // (edges[i] <= v < edges[i + 1], the last bin closed), bin for bin as np.histogram counts.
    if (v < (bins[bin] as number)) bin--;
    else if (bin < numBins - 1 && v >= (bins[bin + 1] as number)) bin++;
    counts[bin] = (counts[bin] as number) + 1;
  }
  return { values: counts, bins };
}
