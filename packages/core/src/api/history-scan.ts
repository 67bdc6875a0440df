import type { ChunkInfos, Points, RunView, StoreReader } from "../store/store.js";

/** One history row: `_step` and the keys present at that step. */
export type HistoryRow = Record<string, unknown> & { _step: number };

/** Every committed row has a `_runtime`, so its series enumerates the rows. */
export const ROW_INDEX_KEY = "_runtime";

/** Chunks one read fetches beyond what the page needs (1,024 points each): fewer round trips to a remote store. */
const READ_AHEAD_CHUNKS = 8;

/**
 * One scalar key's points in step order, read forward chunk by chunk: each chunk is fetched and
 * decoded once per scan however many pages it spans, and dropped once the scan has passed it.
 * The chunk list is read once, and again only when a page reaches past its end (a live run's new chunks).
 */
class KeyCursor {
  private infos: ChunkInfos | undefined;
  /** The next chunk of `infos` not fetched yet. */
  private next = 0;
  /** Fetched chunks that may still hold steps of later pages. */
  private held: Points[] = [];
  /** Steps before this were read (or skipped); a refreshed chunk list starts here. */
  private readFrom: number;

  constructor(
    private readonly store: StoreReader,
    private readonly view: RunView,
    readonly key: string,
    from: number,
    private readonly until: number,
  ) {
    this.readFrom = from;
  }

  private async refresh(): Promise<void> {
    this.infos = await this.store.chunkInfos(this.view, "history", this.key, this.readFrom, this.until);
    this.next = 0;
  }

  /** The chunks that hold steps in [lo, hi], in step order (plus up to READ_AHEAD_CHUNKS after them). */
  async parts(lo: number, hi: number): Promise<Points[]> {
    this.held = this.held.filter((part) => part.steps.length > 0 && (part.steps[part.steps.length - 1] as number) >= lo);
    if (this.infos === undefined || (this.next >= this.infos.length && this.readFrom <= hi)) await this.refresh();
    const infos = this.infos as ChunkInfos;
    const wanted: number[] = [];
    for (let c = this.next; c < infos.length; c++) {
      if ((infos.firstStep[c] as number) > hi && (wanted.length === 0 || wanted.length >= READ_AHEAD_CHUNKS)) break;
      if ((infos.lastStep[c] as number) >= lo) wanted.push(c);
      this.next = c + 1;
      this.readFrom = (infos.lastStep[c] as number) + 1;
    }
    if (wanted.length > 0 || this.next >= infos.length) this.readFrom = Math.max(this.readFrom, hi + 1);
    if (wanted.length > 0) this.held.push(...(await this.store.chunkPoints(this.view, "history", this.key, infos, wanted)));
    return this.held;
  }
}

/** The row index's steps in [from, until], in order, each once. */
async function* indexSteps(store: StoreReader, view: RunView, from: number, until: number): AsyncGenerator<number> {
  let last = Number.NEGATIVE_INFINITY;
  for (let start = from; ; ) {
    const chunks = await store.chunkInfos(view, "history", ROW_INDEX_KEY, start, until);
    if (chunks.length === 0) return;
    for (let c = 0; c < chunks.length; c += READ_AHEAD_CHUNKS) {
      const positions = Array.from({ length: Math.min(READ_AHEAD_CHUNKS, chunks.length - c) }, (_, i) => c + i);
      for (const part of await store.chunkPoints(view, "history", ROW_INDEX_KEY, chunks, positions)) {
        for (const step of part.steps) {
          if (step < from || step > until || step <= last) continue;
          last = step;
          yield step;
        }
      }
    }
    // Chunks written while this list was read come after it.
    if (last < start) return;
    start = last + 1;
  }
}

/** Sets `rows[i][key]` for every point of `parts` at `steps[i]` (both sorted; a later point wins). */
function mergeKey(rows: HistoryRow[], steps: readonly number[], key: string, parts: readonly Points[]): void {
  const lo = steps[0] as number;
  const hi = steps[steps.length - 1] as number;
  for (const part of parts) {
    const points = part.steps;
    let j = lowerBound(points, lo);
    let i = 0;
    for (; j < points.length; j++) {
      const step = points[j] as number;
      if (step > hi) break;
      while ((steps[i] as number) < step) i++;
      if (steps[i] === step) (rows[i] as HistoryRow)[key] = part.values[j];
    }
  }
}

function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every row in step order over [from, until], assembled `pageSize` steps at a time: each key's
 * chunks are read forward once for the whole scan (not once per page), so a scan costs one pass
 * over the stored chunks whatever the page size, and holds about one page of rows at a time.
 */
export async function* scanRows(
  store: StoreReader,
  view: RunView,
  options: { keys?: readonly string[]; pageSize: number; from: number; until: number },
): AsyncGenerator<HistoryRow> {
  const { keys, pageSize, from, until } = options;
  const wanted = keys === undefined ? undefined : new Set([...keys, "_runtime", "_timestamp"]);
  let cursors: KeyCursor[] | undefined;
  const steps: number[] = [];
  const index = indexSteps(store, view, from, until);
  for (let done = false; !done; ) {
    steps.length = 0;
    for (;;) {
      const next = await index.next();
      if (next.done) {
        done = true;
        break;
      }
      steps.push(next.value);
      if (steps.length === pageSize) break;
    }
    if (steps.length === 0) return;
    if (cursors === undefined) {
      const scalarKeys = (await store.seriesKeys(view, "history")).filter((k) => wanted === undefined || wanted.has(k));
      cursors = scalarKeys.map((key) => new KeyCursor(store, view, key, from, until));
    }
    const lo = steps[0] as number;
    const hi = steps[steps.length - 1] as number;
    const rows: HistoryRow[] = steps.map((step) => ({ _step: step }));
    // Fetched together (a pool runs them side by side), merged in key order so a row's keys keep their order.
    const parts = await Promise.all(cursors.map((cursor) => cursor.parts(lo, hi)));
    for (let k = 0; k < cursors.length; k++) mergeKey(rows, steps, (cursors[k] as KeyCursor).key, parts[k] as Points[]);
    let at = 0;
    for (const [step, data] of await store.historyRows(view, lo, hi)) {
      at = lowerBound(steps, step);
      if (steps[at] !== step) continue;
      const row = rows[at] as HistoryRow;
      for (const [key, value] of Object.entries(data)) if (wanted === undefined || wanted.has(key)) row[key] = value;
    }
    // W&B returns only rows holding at least one requested key.
    yield* keys === undefined ? rows : rows.filter((row) => keys.some((key) => key in row));
  }
}
