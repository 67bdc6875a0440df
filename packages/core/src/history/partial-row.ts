/**
 * The row being built for the current step: numeric leaves go to `scalars` (stored
 * columnar), everything else to `others` (stored as JSON per step).
 */
export class PartialRow {
  readonly scalars = new Map<string, number>();
  readonly others = new Map<string, unknown>();

  get size(): number {
    return this.scalars.size + this.others.size;
  }

  setScalar(key: string, value: number): void {
    this.others.delete(key);
    this.scalars.set(key, value);
  }

  setOther(key: string, value: unknown): void {
    this.scalars.delete(key);
    this.others.set(key, value);
  }

  has(key: string): boolean {
    return this.scalars.has(key) || this.others.has(key);
  }

  clear(): void {
    this.scalars.clear();
    this.others.clear();
  }
}
