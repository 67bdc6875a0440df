/**
 * The row being built for the current step: numeric leaves go to scalar slots (stored
 * columnar), everything else to `others` (stored as JSON per step). Scalars live in a
 * Float64Array, never in a Map: a long-lived Map of doubles boxes every value and fills
 * the old generation with garbage (measured: ~16 bytes per logged point).
 */
export class PartialRow {
  readonly scalarKeys: string[] = [];
  scalarValues = new Float64Array(32);
  private readonly scalarIndex = new Map<string, number>();
  readonly others = new Map<string, unknown>();
  /** What the summary keeps instead of the history value (W&B: stats for long arrays, not a histogram). */
  readonly summaryValues = new Map<string, unknown>();

  get size(): number {
    return this.scalarKeys.length + this.others.size;
  }

  setScalar(key: string, value: number): void {
    let index = this.scalarIndex.get(key);
    if (index === undefined) {
      if (this.others.size > 0) this.others.delete(key);
      index = this.scalarKeys.length;
      this.scalarKeys.push(key);
      this.scalarIndex.set(key, index);
      if (index === this.scalarValues.length) {
        const grown = new Float64Array(index * 2);
        grown.set(this.scalarValues);
        this.scalarValues = grown;
      }
    }
    this.scalarValues[index] = value;
  }

  setOther(key: string, value: unknown): void {
    if (this.scalarIndex.has(key)) this.removeScalar(key);
    // A later value of the key replaces an earlier long array's stats too.
    if (this.summaryValues.size > 0) this.summaryValues.delete(key);
    this.others.set(key, value);
  }

  hasScalar(key: string): boolean {
    return this.scalarIndex.has(key);
  }

  has(key: string): boolean {
    return this.scalarIndex.has(key) || this.others.has(key);
  }

  clear(): void {
    this.scalarKeys.length = 0;
    this.scalarIndex.clear();
    this.others.clear();
    this.summaryValues.clear();
  }

  private removeScalar(key: string): void {
    const keys = this.scalarKeys.filter((k) => k !== key);
    const values = keys.map((k) => this.scalarValues[this.scalarIndex.get(k) as number] as number);
    this.clearScalars();
    for (let i = 0; i < keys.length; i++) this.setScalar(keys[i] as string, values[i] as number);
  }

  private clearScalars(): void {
    this.scalarKeys.length = 0;
    this.scalarIndex.clear();
  }
}
