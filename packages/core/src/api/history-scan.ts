import type { ChunkInfos, Points, RunView, StoreReader, Stream } from "../store/store.js";
import { encodeJson } from "../util/json.js";

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
    private readonly stream: Stream,
    readonly key: string,
    from: number,
    private readonly until: number,
  ) {
    this.readFrom = from;
  }

  private async refresh(): Promise<void> {
    this.infos = await this.store.chunkInfos(this.view, this.stream, this.key, this.readFrom, this.until);
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
    if (wanted.length > 0) this.held.push(...(await this.store.chunkPoints(this.view, this.stream, this.key, infos, wanted)));
    return this.held;
  }
}

/** The row index's steps in [from, until], in order, each once. */
async function* indexSteps(store: StoreReader, view: RunView, stream: Stream, from: number, until: number): AsyncGenerator<number> {
  let last = Number.NEGATIVE_INFINITY;
  for (let start = from; ; ) {
    const chunks = await store.chunkInfos(view, stream, ROW_INDEX_KEY, start, until);
    if (chunks.length === 0) return;
    for (let c = 0; c < chunks.length; c += READ_AHEAD_CHUNKS) {
      const positions = Array.from({ length: Math.min(READ_AHEAD_CHUNKS, chunks.length - c) }, (_, i) => c + i);
      for (const part of await store.chunkPoints(view, stream, ROW_INDEX_KEY, chunks, positions)) {
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

interface ScanOptions {
  readonly keys?: readonly string[];
  readonly pageSize: number;
  readonly from: number;
  readonly until: number;
  /** The history stream read: a shared-mode writer's own `history@<label>`; `history` by default. */
  readonly stream?: Stream;
  /** The stored (non-scalar) rows of that stream in [from, to]; the run's `historyRows` by default. */
  readonly storedRows?: (from: number, to: number) => Promise<[number, Record<string, unknown>][]>;
}

/** One page of a scan: its steps, every scalar key's points over them, and the stored (non-scalar) rows. */
interface Page {
  readonly steps: readonly number[];
  readonly keys: readonly string[];
  readonly parts: readonly (readonly Points[])[];
  readonly stored: [number, Record<string, unknown>][];
}

/** Pages of `pageSize` steps; each key's chunks are read forward once for the whole scan. */
async function* scanPages(store: StoreReader, view: RunView, options: ScanOptions): AsyncGenerator<Page> {
  const { pageSize, from, until } = options;
  const stream = options.stream ?? "history";
  const storedRows = options.storedRows ?? ((lo: number, hi: number) => store.historyRows(view, lo, hi));
  const wanted = options.keys === undefined ? undefined : new Set([...options.keys, "_runtime", "_timestamp"]);
  let cursors: KeyCursor[] | undefined;
  const index = indexSteps(store, view, stream, from, until);
  for (let done = false; !done; ) {
    const steps: number[] = [];
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
      const scalarKeys = (await store.seriesKeys(view, stream)).filter((k) => wanted === undefined || wanted.has(k));
      cursors = scalarKeys.map((key) => new KeyCursor(store, view, stream, key, from, until));
    }
    const lo = steps[0] as number;
    const hi = steps[steps.length - 1] as number;
    // Fetched side by side (a pool runs them in parallel); merged in key order so a row's keys keep their order.
    const parts = await Promise.all(cursors.map((cursor) => cursor.parts(lo, hi)));
    yield { steps, keys: cursors.map((cursor) => cursor.key), parts, stored: await storedRows(lo, hi) };
  }
}

/** The page's rows as objects: `_step`, the scalar keys in key order, then the stored values. */
function pageRows(page: Page, wanted: ReadonlySet<string> | undefined): HistoryRow[] {
  const { steps } = page;
  const rows: HistoryRow[] = steps.map((step) => ({ _step: step }));
  for (let k = 0; k < page.keys.length; k++) mergeKey(rows, steps, page.keys[k] as string, page.parts[k] as Points[]);
  for (const [step, data] of page.stored) {
    const at = lowerBound(steps, step);
    if (steps[at] !== step) continue;
    const row = rows[at] as HistoryRow;
    for (const [key, value] of Object.entries(data)) if (wanted === undefined || wanted.has(key)) row[key] = value;
  }
  return rows;
}

/**
 * Every row in step order over [from, until], assembled `pageSize` steps at a time: each key's
 * chunks are read forward once for the whole scan (not once per page), so a scan costs one pass
 * over the stored chunks whatever the page size, and holds about one page of rows at a time.
 */
export async function* scanRows(store: StoreReader, view: RunView, options: ScanOptions): AsyncGenerator<HistoryRow> {
  const { keys } = options;
  const wanted = keys === undefined ? undefined : new Set([...keys, "_runtime", "_timestamp"]);
  for await (const page of scanPages(store, view, options)) {
    const rows = pageRows(page, wanted);
    // W&B returns only rows holding at least one requested key.
    yield* keys === undefined ? rows : rows.filter((row) => keys.some((key) => key in row));
  }
}

/** One row as `encodeJson(row)` would write it. */
export interface EncodedRow {
  readonly step: number;
  readonly json: string;
}

/** Keys a JavaScript object would not keep in insertion order (array indices) or would not keep at all. */
const ORDER_CHANGING_KEY = /^(0|[1-9]\d*)$|^_step$|^__proto__$/;

const numberJson = (value: number): string => (Number.isFinite(value) ? String(value) : `{"__runlog_number":"${value}"}`);

/**
 * `scanRows` (every key) with each row already encoded, the same text `encodeJson(row)` gives:
 * a scalar-only row is written straight from the decoded columns, without building the object
 * (the object and `JSON.stringify` over it were most of a history page's time); a row with
 * stored values, or a run whose keys an object would reorder, goes through the object.
 */
export async function* scanRowsJson(store: StoreReader, view: RunView, options: Omit<ScanOptions, "keys">): AsyncGenerator<EncodedRow> {
  for await (const page of scanPages(store, view, options)) {
    const { steps, keys, parts } = page;
    if (keys.some((key) => ORDER_CHANGING_KEY.test(key))) {
      for (const row of pageRows(page, undefined)) yield { step: row._step, json: encodeJson(row) };
      continue;
    }
    const n = steps.length;
    // Per key, the value at each step of the page (NaN is a value: presence is kept apart).
    const values = keys.map(() => new Float64Array(n));
    const present = keys.map(() => new Uint8Array(n));
    for (let k = 0; k < keys.length; k++) {
      const column = values[k] as Float64Array;
      const has = present[k] as Uint8Array;
      const lo = steps[0] as number;
      const hi = steps[n - 1] as number;
      for (const part of parts[k] as Points[]) {
        let i = 0;
        for (let j = lowerBound(part.steps, lo); j < part.steps.length; j++) {
          const step = part.steps[j] as number;
          if (step > hi) break;
          while ((steps[i] as number) < step) i++;
          if (steps[i] === step) {
            column[i] = part.values[j] as number;
            has[i] = 1;
          }
        }
      }
    }
    const prefixes = keys.map((key) => `,${JSON.stringify(key)}:`);
    const stored = new Map(page.stored);
    for (let i = 0; i < n; i++) {
      const step = steps[i] as number;
      const data = stored.get(step);
      if (data !== undefined) {
        const row: HistoryRow = { _step: step };
        for (let k = 0; k < keys.length; k++)
          if ((present[k] as Uint8Array)[i] === 1) row[keys[k] as string] = (values[k] as Float64Array)[i];
        for (const [key, value] of Object.entries(data)) row[key] = value;
        yield { step, json: encodeJson(row) };
        continue;
      }
      let json = `{"_step":${step}`;
      for (let k = 0; k < keys.length; k++) {
        if ((present[k] as Uint8Array)[i] === 1) json += (prefixes[k] as string) + numberJson((values[k] as Float64Array)[i] as number);
      }
      yield { step, json: `${json}}` };
    }
  }
}
