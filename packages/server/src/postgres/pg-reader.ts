import {
  type AlertView,
  type ChunkInfos,
  decodeJson,
  type FileView,
  type Points,
  type RunView,
  type SpanView,
  type StoreReader,
  type Stream,
} from "@runlog/core";
import {
  blobToFloat64,
  decodeSteps,
  effectiveState,
  emptyChunkInfos,
  type RunRow,
  runViewOf,
  SPAN_COLUMNS,
  type SpanRow,
  spanViewOf,
} from "@runlog/core/store-kit";
import type { Pool } from "pg";

type PgRunView = RunView & { pk: number };

const pkOf = (run: RunView) => (run as PgRunView).pk;

/**
 * Reads the PostgreSQL store; the same contract as the embedded SQLite reader. Runs whose first
 * batch is still in flight (applied_seq 0) are not listed. Parsed runs are cached by
 * (applied_seq, heartbeat) like the SQLite reader does, so a 10,000-run page parses only what changed.
 */
export class PgReader implements StoreReader {
  private readonly runCache = new Map<
    number,
    { seq: number; heartbeat: number; edits: number; stored: RunRow["state"]; view: PgRunView }
  >();

  constructor(private readonly pool: Pool) {}

  async listProjects() {
    const { rows } = await this.pool.query<{ entity: string; name: string; createdAt: number; runCount: number }>(
      `SELECT p.entity AS entity, p.name AS name, p.created_at AS "createdAt",
              (SELECT COUNT(*)::int FROM runs r WHERE r.entity = p.entity AND r.project = p.name AND r.applied_seq > 0) AS "runCount"
       FROM projects p ORDER BY p.created_at DESC`,
    );
    return rows;
  }

  async listRuns(entity: string, project: string): Promise<RunView[]> {
    const { rows: stamps } = await this.pool.query<{ pk: number; applied_seq: number; heartbeat_at: number; edits: number }>(
      "SELECT pk, applied_seq, heartbeat_at, edits FROM runs WHERE entity = $1 AND project = $2 AND applied_seq > 0 ORDER BY created_at DESC",
      [entity, project],
    );
    const stale = stamps.filter((s) => {
      const cached = this.runCache.get(s.pk);
      return cached === undefined || cached.seq !== s.applied_seq || cached.heartbeat !== s.heartbeat_at || cached.edits !== s.edits;
    });
    if (stale.length > 0) {
      const { rows } = await this.pool.query<RunRow>("SELECT * FROM runs WHERE pk = ANY($1::bigint[])", [stale.map((s) => s.pk)]);
      for (const row of rows)
        this.runCache.set(row.pk, {
          seq: row.applied_seq,
          heartbeat: row.heartbeat_at,
          edits: row.edits,
          stored: row.state,
          view: runViewOf(row),
        });
    }
    return stamps.map((s) => {
      const { view, stored } = this.runCache.get(s.pk) as { view: PgRunView; stored: RunRow["state"] };
      // A silent running run turns "crashed" with time alone, so its state is derived on every read.
      return { ...view, state: effectiveState(stored, view.heartbeatAt, view.crashTimeout) };
    });
  }

  async getRun(entity: string, project: string, id: string): Promise<RunView | undefined> {
    const { rows } = await this.pool.query<RunRow>(
      "SELECT * FROM runs WHERE entity = $1 AND project = $2 AND run_id = $3 AND applied_seq > 0",
      [entity, project, id],
    );
    return rows[0] === undefined ? undefined : runViewOf(rows[0]);
  }

  async seriesKeys(run: RunView, stream: Stream): Promise<string[]> {
    const { rows } = await this.pool.query<{ key: string }>("SELECT key FROM series_keys WHERE run_pk = $1 AND stream = $2 ORDER BY key", [
      pkOf(run),
      stream,
    ]);
    return rows.map((r) => r.key);
  }

  async chunkInfos(run: RunView, stream: Stream, key: string, from: number, to: number): Promise<ChunkInfos> {
    const { rows } = await this.pool.query<{
      seq: number;
      first_step: number;
      last_step: number;
      count: number;
      min: number | null;
      max: number | null;
      last_value: number | null;
    }>(
      `SELECT c.seq, c.first_step, c.last_step, c.count, c.min, c.max, c.last_value
       FROM series_chunks c JOIN series_keys k ON k.id = c.key_id
       WHERE k.run_pk = $1 AND k.stream = $2 AND k.key = $3 AND c.last_step >= $4 AND c.first_step <= $5
       ORDER BY c.seq`,
      [pkOf(run), stream, key, from, to],
    );
    const out = emptyChunkInfos(rows.length);
    rows.forEach((row, i) => {
      out.seq[i] = row.seq;
      out.firstStep[i] = row.first_step;
      out.lastStep[i] = row.last_step;
      out.count[i] = row.count;
      out.min[i] = row.min ?? Number.NaN;
      out.max[i] = row.max ?? Number.NaN;
      out.lastValue[i] = row.last_value ?? Number.NaN;
      // Chunks are addressed by (key, seq) here: the seq is the "blob id" within the key.
      out.blobId[i] = row.seq;
    });
    return { ...out, length: rows.length };
  }

  async chunkPoints(run: RunView, stream: Stream, key: string, chunks: ChunkInfos, positions: readonly number[]): Promise<Points[]> {
    if (positions.length === 0) return [];
    const seqs = positions.map((p) => chunks.blobId[p] as number);
    const { rows } = await this.pool.query<{ seq: number; steps: Buffer; vals: Buffer }>(
      `SELECT c.seq, c.steps, c.vals FROM series_chunks c JOIN series_keys k ON k.id = c.key_id
       WHERE k.run_pk = $1 AND k.stream = $2 AND k.key = $3 AND c.seq = ANY($4::int[])`,
      [pkOf(run), stream, key, seqs],
    );
    const bySeq = new Map(rows.map((row) => [row.seq, row]));
    return positions.map((p) => {
      const row = bySeq.get(chunks.blobId[p] as number);
      if (row === undefined) return { steps: new Float64Array(0), values: new Float64Array(0) };
      return {
        steps: decodeSteps(row.steps, chunks.firstStep[p] as number, chunks.count[p] as number),
        values: blobToFloat64(row.vals),
        dense: row.steps.byteLength === 0,
      };
    });
  }

  async historyRows(run: RunView, from: number, to: number, limit?: number): Promise<[number, Record<string, unknown>][]> {
    // LIMIT NULL is PostgreSQL's "no limit".
    const { rows } = await this.pool.query<{ step: number; data: string }>(
      "SELECT step, data FROM history_rows WHERE run_pk = $1 AND step >= $2 AND step <= $3 ORDER BY step LIMIT $4",
      [pkOf(run), clampStep(from), clampStep(to), limit ?? null],
    );
    return rows.map((row) => [row.step, decodeJson<Record<string, unknown>>(row.data)]);
  }

  async spans(run: RunView): Promise<SpanView[]> {
    const { rows } = await this.pool.query<SpanRow>(`SELECT ${SPAN_COLUMNS} FROM spans WHERE run_pk = $1 ORDER BY start_time, id`, [
      pkOf(run),
    ]);
    return rows.map(spanViewOf);
  }

  async alerts(run: RunView): Promise<AlertView[]> {
    const { rows } = await this.pool.query<AlertView>(
      `SELECT title, text, level, wait_duration AS "waitDuration", created_at AS "createdAt" FROM alerts WHERE run_pk = $1 ORDER BY created_at, id`,
      [pkOf(run)],
    );
    return rows;
  }

  /**
   * The run's files: those its file records name (run.save, files written into run.dir) and every
   * file it uploaded to the team server (media, output.log), which has no file record. An upload
   * gives the size and SHA-256 it was stored with; a path in both is listed once.
   */
  async files(run: RunView): Promise<FileView[]> {
    const { rows } = await this.pool.query<{ path: string; size: string | number; sha256: string | null; updatedAt: number }>(
      `SELECT COALESCE(o.path, f.path) AS path, COALESCE(o.size, f.size) AS size, COALESCE(o.sha256, f.sha256) AS sha256,
              GREATEST(o.updated_at, f.updated_at) AS "updatedAt"
       FROM (SELECT path, size, sha256, updated_at FROM files WHERE run_pk = $1) f
       FULL OUTER JOIN (SELECT path, size, sha256, updated_at FROM run_file_objects WHERE entity = $2 AND project = $3 AND run_id = $4) o
         ON o.path = f.path
       ORDER BY 1`,
      [pkOf(run), run.entity, run.project, run.id],
    );
    return rows.map((r) => ({ ...r, size: Number(r.size), sha256: r.sha256 ?? undefined }));
  }

  /** The pool belongs to the server (writer and key store share it). */
  close(): void {}
}

/** BIGINT bounds: ±Infinity from an open-ended range cannot be sent as a bigint parameter. */
function clampStep(step: number): number {
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.trunc(step)));
}
