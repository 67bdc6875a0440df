import type Database from "better-sqlite3";
import { decodeJson } from "../../util/json.js";
import { type ChunkInfos, emptyChunkInfos, unpackOverlapping } from "../chunk-index.js";
import { blobToFloat64, decodeSteps } from "../chunks.js";
import { type RunRow, runViewOf } from "../run-row.js";
import { effectiveState } from "../run-state.js";
import { SPAN_COLUMNS, type SpanRow, spanViewOf } from "../span-row.js";
import type { AlertView, FileView, Points, RunView, SpanView, StoreReader, Stream, WriterView } from "../store.js";
import { guarded, type RunChecksums, verifyChunkBlob, verifyPage, verifyRunRow, verifyText } from "./checksums.js";
import { openDatabase } from "./database.js";
import { prepared } from "./prepared.js";

interface CachedRun {
  readonly seq: number;
  readonly heartbeat: number;
  readonly edits: number;
  readonly storedState: RunRow["state"];
  readonly view: RunView & { pk: number };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function pkOf(run: RunView): number {
  return (run as RunView & { pk: number }).pk;
}

/** Reads the embedded store. Synchronous underneath (better-sqlite3), async to match the contract. */
export class SqliteReader implements StoreReader {
  private readonly db: Database.Database;
  private readonly keyIds = new Map<string, number | undefined>();
  private readonly runCache = new Map<number, CachedRun>();

  constructor(path: string) {
    this.db = openDatabase(path);
    // Readers scan chunk stats and fetch blobs by range: memory-mapped reads skip a copy per page.
    this.db.pragma("mmap_size = 1073741824");
  }

  async listProjects() {
    return guarded(this.db.name, () => {
      return prepared(
        this.db,
        `SELECT p.entity AS entity, p.name AS name, p.created_at AS createdAt,
                (SELECT COUNT(*) FROM runs r WHERE r.entity = p.entity AND r.project = p.name) AS runCount
         FROM projects p ORDER BY p.created_at DESC`,
      ).all() as { entity: string; name: string; createdAt: number; runCount: number }[];
    });
  }

  /**
   * A project's runs. Parsed views are cached by run and reused while the run's applied sequence
   * and heartbeat are unchanged, so listing 10,000 runs reads three columns and parses only what
   * changed (JSON parsing dominates otherwise). Cached views are frozen: a caller cannot alter them.
   */
  async listRuns(entity: string, project: string): Promise<RunView[]> {
    return guarded(this.db.name, () => {
      const stamps = prepared(
        this.db,
        "SELECT pk, applied_seq, heartbeat_at, edits FROM runs WHERE entity = ? AND project = ? ORDER BY created_at DESC",
      ).all(entity, project) as { pk: number; applied_seq: number; heartbeat_at: number; edits: number }[];
      const stale = stamps.filter((stamp) => {
        const cached = this.runCache.get(stamp.pk);
        return (
          cached === undefined ||
          cached.seq !== stamp.applied_seq ||
          cached.heartbeat !== stamp.heartbeat_at ||
          cached.edits !== stamp.edits
        );
      });
      for (let i = 0; i < stale.length; i += 500) {
        const pks = stale.slice(i, i + 500).map((stamp) => stamp.pk);
        const rows = this.db.prepare(`SELECT * FROM runs WHERE pk IN (${pks.map(() => "?").join(",")})`).all(...pks) as (RunRow &
          RunChecksums)[];
        for (const row of rows) {
          verifyRunRow(this.db.name, row);
          this.runCache.set(row.pk, {
            seq: row.applied_seq,
            heartbeat: row.heartbeat_at,
            edits: row.edits,
            storedState: row.state,
            view: deepFreeze(runViewOf(row)),
          });
        }
      }
      return stamps.map((stamp) => {
        const { view, storedState } = this.runCache.get(stamp.pk) as CachedRun;
        // A silent running (or preempting) run turns "crashed" with time alone, so its state is derived on every read.
        return storedState === "running" || storedState === "preempting"
          ? { ...view, state: effectiveState(storedState, view.heartbeatAt, view.crashTimeout) }
          : view;
      });
    });
  }

  async getRun(entity: string, project: string, id: string): Promise<RunView | undefined> {
    return guarded(this.db.name, () => {
      const row = prepared(this.db, "SELECT * FROM runs WHERE entity = ? AND project = ? AND run_id = ?").get(entity, project, id) as
        | (RunRow & RunChecksums)
        | undefined;
      if (row === undefined) return undefined;
      verifyRunRow(this.db.name, row);
      return runViewOf(row);
    });
  }

  async seriesKeys(run: RunView, stream: Stream): Promise<string[]> {
    return guarded(this.db.name, () => {
      const rows = prepared(this.db, "SELECT key FROM series_keys WHERE run_pk = ? AND stream = ? ORDER BY key").all(pkOf(run), stream) as {
        key: string;
      }[];
      return rows.map((r) => r.key);
    });
  }

  private keyId(run: RunView, stream: Stream, key: string): number | undefined {
    const cacheKey = `${pkOf(run)}\u0000${stream}\u0000${key}`;
    if (this.keyIds.has(cacheKey)) return this.keyIds.get(cacheKey);
    const row = prepared(this.db, "SELECT id FROM series_keys WHERE run_pk = ? AND stream = ? AND key = ?").get(pkOf(run), stream, key) as
      | { id: number }
      | undefined;
    // Only cache hits: a key may appear later while the run is live.
    if (row !== undefined) this.keyIds.set(cacheKey, row.id);
    return row?.id;
  }

  async chunkInfos(run: RunView, stream: Stream, key: string, from: number, to: number): Promise<ChunkInfos> {
    return guarded(this.db.name, () => {
      const id = this.keyId(run, stream, key);
      if (id === undefined) return emptyChunkInfos();
      const rows = prepared(this.db, "SELECT stats, crc FROM series_index WHERE key_id = ? ORDER BY page").all(id) as {
        stats: Buffer;
        crc: number | null;
      }[];
      for (const row of rows) verifyPage(this.db.name, row.stats, row.crc, `"${key}"`);
      return unpackOverlapping(
        rows.map((row) => blobToFloat64(row.stats)),
        from,
        to,
      );
    });
  }

  async chunkPoints(_run: RunView, _stream: Stream, _key: string, chunks: ChunkInfos, positions: readonly number[]): Promise<Points[]> {
    return guarded(this.db.name, () => {
      if (positions.length === 0) return [];
      // By blob id, in one statement: no per-chunk lookup through (key, seq) (a chart decodes ~1,000 chunks).
      const ids = positions.map((p) => chunks.blobId[p] as number);
      const rows = prepared(this.db, "SELECT id, steps, vals, crc FROM series_blobs WHERE id IN (SELECT value FROM json_each(?))").all(
        JSON.stringify(ids),
      ) as {
        id: number;
        steps: Buffer;
        vals: Buffer;
        crc: number | null;
      }[];
      const byId = new Map(rows.map((row) => [row.id, row]));
      return positions.map((p) => {
        const row = byId.get(chunks.blobId[p] as number);
        if (row === undefined) return { steps: new Float64Array(0), values: new Float64Array(0) }; // rewound meanwhile
        verifyChunkBlob(this.db.name, row);
        const dense = row.steps.byteLength === 0;
        return {
          steps: decodeSteps(row.steps, chunks.firstStep[p] as number, chunks.count[p] as number),
          values: blobToFloat64(row.vals),
          dense,
        };
      });
    });
  }

  async historyRows(run: RunView, from: number, to: number, limit = -1): Promise<[number, Record<string, unknown>][]> {
    return guarded(this.db.name, () => {
      // LIMIT -1 is SQLite's "no limit".
      const rows = prepared(
        this.db,
        "SELECT step, data, crc FROM history_rows WHERE run_pk = ? AND step >= ? AND step <= ? ORDER BY step LIMIT ?",
      )
        .raw(true)
        .all(pkOf(run), from, to, limit) as [number, string, number | null][];
      return rows.map(([step, data, crc]) => {
        verifyText(this.db.name, crc, [data], () => `history row ${step} of run ${run.entity}/${run.project}/${run.id}`);
        return [step, decodeJson<Record<string, unknown>>(data)];
      });
    });
  }

  async writers(run: RunView): Promise<WriterView[]> {
    return guarded(this.db.name, () => {
      const rows = prepared(
        this.db,
        "SELECT label, is_primary, state, exit_code, last_step, heartbeat_at FROM run_writers WHERE run_pk = ? ORDER BY label",
      ).all(pkOf(run)) as {
        label: string;
        is_primary: number;
        state: RunView["state"];
        exit_code: number | null;
        last_step: number;
        heartbeat_at: number;
      }[];
      return rows.map((row) => ({
        label: row.label,
        primary: row.is_primary === 1,
        state: effectiveState(row.state, row.heartbeat_at, run.crashTimeout),
        exitCode: row.exit_code ?? undefined,
        lastStep: row.last_step,
        heartbeatAt: row.heartbeat_at,
      }));
    });
  }

  async writerRows(run: RunView, label: string, from: number, to: number): Promise<[number, Record<string, unknown>][]> {
    return guarded(this.db.name, () => {
      const rows = prepared(
        this.db,
        "SELECT step, data, crc FROM writer_rows WHERE run_pk = ? AND label = ? AND step >= ? AND step <= ? ORDER BY step",
      )
        .raw(true)
        .all(pkOf(run), label, from, to) as [number, string, number | null][];
      return rows.map(([step, data, crc]) => {
        verifyText(this.db.name, crc, [data], () => `history row ${step} of writer ${label} of run ${run.entity}/${run.project}/${run.id}`);
        return [step, decodeJson<Record<string, unknown>>(data)];
      });
    });
  }

  async spans(run: RunView): Promise<SpanView[]> {
    return guarded(this.db.name, () => {
      const rows = prepared(this.db, `SELECT ${SPAN_COLUMNS}, crc FROM spans WHERE run_pk = ? ORDER BY start_time, rowid`).all(
        pkOf(run),
      ) as (SpanRow & { crc: number | null })[];
      return rows.map((row) => {
        verifyText(this.db.name, row.crc, [row.data], () => `span ${row.span_id} of run ${run.entity}/${run.project}/${run.id}`);
        return spanViewOf(row);
      });
    });
  }

  async alerts(run: RunView): Promise<AlertView[]> {
    return guarded(this.db.name, () => {
      return prepared(
        this.db,
        "SELECT title, text, level, wait_duration AS waitDuration, created_at AS createdAt FROM alerts WHERE run_pk = ? ORDER BY created_at, id",
      ).all(pkOf(run)) as AlertView[];
    });
  }

  async files(run: RunView): Promise<FileView[]> {
    return guarded(this.db.name, () => {
      const rows = prepared(this.db, "SELECT path, size, sha256, updated_at AS updatedAt FROM files WHERE run_pk = ? ORDER BY path").all(
        pkOf(run),
      ) as {
        path: string;
        size: number;
        sha256: string | null;
        updatedAt: number;
      }[];
      return rows.map((r) => ({ ...r, sha256: r.sha256 ?? undefined }));
    });
  }

  close(): void {
    this.db.close();
  }
}
