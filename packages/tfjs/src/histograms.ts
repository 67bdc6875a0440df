import { Histogram } from "@runlog/core";

/** 64-bin histogram of a tensor's values (W&B's watch); non-finite values are skipped, the data is never modified. */
export function tensorHistogram(values: ArrayLike<number>): Histogram {
  return new Histogram(values, { numBins: 64 });
}
