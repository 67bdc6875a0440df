import { statSync } from "node:fs";
import { RunlogError } from "@runlog/core";
import Database from "better-sqlite3";
import type { MlflowExperiment, MlflowPoint, MlflowRunInfo, MlflowStoreReader } from "./model.js";
import { statusOf } from "./model.js";

/** Tables (and their columns) of MLflow's tracking schema that the import reads. */
const SCHEMA: Record<string, readonly string[]> = {
  experiments: ["experiment_id", "name", "lifecycle_stage"],
  runs: ["run_uuid", "name", "status", "start_time", "end_time", "lifecycle_stage", "artifact_uri", "experiment_id", "user_id"],
  metrics: ["key", "value", "timestamp", "run_uuid", "step", "is_nan"],
  params: ["key", "value", "run_uuid"],
  tags: ["key", "value", "run_uuid"],
};

/** SQLite's codes for a file that is not a database, or a damaged one. */
const DAMAGE = new Set(["SQLITE_NOTADB", "SQLITE_CORRUPT", "SQLITE_CORRUPT_INDEX", "SQLITE_CORRUPT_SEQUENCE", "SQLITE_CORRUPT_VTAB"]);

type RunRow = {
  run_uuid: string;
  name: string | null;
  status: string;
  start_time: number | null;
  end_time: number | null;
  lifecycle_stage: string | null;
  artifact_uri: string | null;
  experiment_id: number | string;
  user_id: string | null;
};

/**
 * An MLflow tracking database in SQLite (what `sqlite:///mlflow.db` holds), read-only with
 * better-sqlite3. Metric values stream from SQLite in step order; NaN is MLflow's `is_nan` flag.
 */
export class SqliteStoreReader implements MlflowStoreReader {
  private readonly db: Database.Database;
  private readonly perRunBytes: number;

  constructor(readonly location: string) {
    this.db = this.guard(() => new Database(location, { readonly: true, fileMustExist: true }));
    try {
      this.guard(() => this.checkSchema());
      const runs = (this.db.prepare("SELECT count(*) AS n FROM runs").get() as { n: number }).n;
      this.perRunBytes = runs === 0 ? 0 : Math.floor(statSync(location).size / runs);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  experiments(): MlflowExperiment[] {
    const rows = this.guard(
      () =>
        this.db.prepare("SELECT experiment_id, name, lifecycle_stage FROM experiments ORDER BY experiment_id").all() as {
          experiment_id: number | string;
          name: string;
          lifecycle_stage: string | null;
        }[],
    );
    return rows.map((row) => ({ id: String(row.experiment_id), name: row.name, deleted: row.lifecycle_stage === "deleted" }));
  }

  runs(experiment: MlflowExperiment): { runs: MlflowRunInfo[] } {
    const rows = this.guard(
      () =>
        this.db
          .prepare(`SELECT ${SCHEMA.runs?.join(", ")} FROM runs WHERE experiment_id = ? ORDER BY coalesce(start_time, 0), run_uuid`)
          .all(experiment.id) as RunRow[],
    );
    const runs = rows.map((row) => {
      const status = statusOf(row.status);
      if (status === undefined) throw this.damaged(`run ${row.run_uuid} has the status ${JSON.stringify(row.status)}, not an MLflow one`);
      return {
        id: row.run_uuid,
        name: row.name ?? "",
        experimentId: experiment.id,
        status,
        startTime: row.start_time ?? undefined,
        endTime: row.end_time ?? undefined,
        deleted: row.lifecycle_stage === "deleted",
        artifactUri: row.artifact_uri ?? "",
        userId: row.user_id ?? "",
        source: this.location,
      };
    });
    return { runs };
  }

  params(run: MlflowRunInfo): [string, string][] {
    return this.keyValues("params", run);
  }

  tags(run: MlflowRunInfo): [string, string][] {
    return this.keyValues("tags", run);
  }

  *points(run: MlflowRunInfo): Iterable<MlflowPoint> {
    const statement = this.db
      .prepare("SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? ORDER BY step, timestamp, key")
      .raw();
    const rows = this.guard(() => statement.iterate(run.id)) as IterableIterator<[string, number, number, number, number]>;
    while (true) {
      const next = this.guard(() => rows.next());
      if (next.done) return;
      const [key, value, timestamp, step, isNan] = next.value;
      yield { key, value: isNan ? Number.NaN : value, timestamp: Number(timestamp), step: Number(step) };
    }
  }

  sizeOf(): number {
    return this.perRunBytes;
  }

  close(): void {
    this.db.close();
  }

  private keyValues(table: "params" | "tags", run: MlflowRunInfo): [string, string][] {
    const rows = this.guard(
      () =>
        this.db.prepare(`SELECT key, value FROM ${table} WHERE run_uuid = ? ORDER BY key`).raw().all(run.id) as [string, string | null][],
    );
    return rows.map(([key, value]) => [key, value ?? ""]);
  }

  private checkSchema(): void {
    for (const [table, wanted] of Object.entries(SCHEMA)) {
      const columns = new Set((this.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
      const missing = wanted.filter((column) => !columns.has(column));
      if (missing.length > 0) {
        throw new RunlogError(
          "INVALID_ARGUMENT",
          `${this.location} is a SQLite database but not an MLflow tracking store: ${columns.size === 0 ? `it has no "${table}" table` : `its "${table}" table lacks ${missing.join(", ")}`}. Pass the database MLflow's tracking URI names (sqlite:///mlflow.db).`,
          { details: { file: this.location } },
        );
      }
    }
  }

  private damaged(why: string, cause?: unknown): RunlogError {
    return new RunlogError("SOURCE_CORRUPT", `${this.location} is damaged: ${why}. Every run before it was imported.`, {
      details: { file: this.location },
      ...(cause === undefined ? {} : { cause }),
    });
  }

  /** SQLite's damage errors as SOURCE_CORRUPT naming the file. */
  private guard<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && DAMAGE.has(code)) throw this.damaged(`SQLite reports ${code} (${(error as Error).message})`, error);
      if (typeof code === "string" && code.startsWith("SQLITE_")) {
        throw new RunlogError("INVALID_ARGUMENT", `Cannot read ${this.location}: SQLite reports ${code} (${(error as Error).message}).`, {
          cause: error,
          details: { file: this.location },
        });
      }
      throw error;
    }
  }
}
