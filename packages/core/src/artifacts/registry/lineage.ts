import { withBusyRetry } from "../../store/sqlite/database.js";
import { prepared } from "../../store/sqlite/prepared.js";
import type { RegistryDb } from "./registry-db.js";
import { VERSION_SELECT, type VersionRecord, type VersionRow } from "./version-record.js";

// Run lineage: which runs used (input) and logged (output) which versions, and the graph they make.

export function recordLineage(r: RegistryDb, runPath: string, versionId: number, direction: "input" | "output"): void {
  withBusyRetry(() =>
    prepared(r.db, "INSERT OR IGNORE INTO artifact_lineage (run_path, version_id, direction, created_at) VALUES (?, ?, ?, ?)").run(
      runPath,
      versionId,
      direction,
      Date.now() / 1000,
    ),
  );
}

export function runArtifacts(r: RegistryDb, runPath: string, direction: "input" | "output"): VersionRecord[] {
  const rows = prepared(
    r.db,
    `${VERSION_SELECT} JOIN artifact_lineage l ON l.version_id = v.id WHERE l.run_path = ? AND l.direction = ? ORDER BY l.created_at, v.id`,
  ).all(runPath, direction) as VersionRow[];
  return rows.map((row) => r.toRecord(row));
}

/** Runs and artifact versions reachable from a run or a version, to `depth` hops (edges run→artifact and artifact→run). */
export function lineage(
  r: RegistryDb,
  start: { runPath: string } | { versionId: number },
  depth = Number.POSITIVE_INFINITY,
): { runs: string[]; versions: VersionRecord[]; edges: { from: string; to: string }[] } {
  const runs = new Set<string>();
  const versions = new Map<number, VersionRecord>();
  const edges = new Set<string>();
  let frontier: ({ runPath: string } | { versionId: number })[] = [start];
  for (let hop = 0; hop <= depth && frontier.length > 0; hop++) {
    const next: typeof frontier = [];
    for (const node of frontier) {
      if ("runPath" in node) {
        if (runs.has(node.runPath)) continue;
        runs.add(node.runPath);
        const rows = prepared(r.db, "SELECT version_id, direction FROM artifact_lineage WHERE run_path = ?").all(node.runPath) as {
          version_id: number;
          direction: string;
        }[];
        for (const row of rows) {
          edges.add(edge(node.runPath, row.version_id, row.direction));
          next.push({ versionId: row.version_id });
        }
      } else {
        if (versions.has(node.versionId)) continue;
        versions.set(node.versionId, r.versionById(node.versionId));
        const rows = prepared(r.db, "SELECT run_path, direction FROM artifact_lineage WHERE version_id = ?").all(node.versionId) as {
          run_path: string;
          direction: string;
        }[];
        for (const row of rows) {
          edges.add(edge(row.run_path, node.versionId, row.direction));
          next.push({ runPath: row.run_path });
        }
      }
    }
    frontier = next;
  }
  return {
    runs: [...runs],
    versions: [...versions.values()],
    edges: [...edges].map((e) => {
      const [from, to] = JSON.parse(e) as [string, string];
      return { from, to };
    }),
  };
}

/** A lineage edge as a set key: run → artifact for outputs, artifact → run for inputs. */
function edge(runPath: string, versionId: number, direction: string): string {
  const run = `run:${runPath}`;
  const artifact = `artifact:${versionId}`;
  return JSON.stringify(direction === "output" ? [run, artifact] : [artifact, run]);
}
