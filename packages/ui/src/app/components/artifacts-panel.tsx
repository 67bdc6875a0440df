import { formatBytes, formatTime } from "../../lib/format.ts";
import { getJson, type RunView, runPath } from "../api.ts";
import { href } from "../route.ts";
import { ErrorBox, useAsync } from "../use-async.tsx";
import { KeyValueTable } from "./kv-table.tsx";

interface ArtifactSummary {
  id: number;
  qualifiedName: string;
  name: string;
  type: string;
  version: string;
  aliases: string[];
  size: number;
  fileCount: number;
  createdAt: number;
  metadata: Record<string, unknown>;
}

interface Lineage {
  runs: string[];
  artifacts: ArtifactSummary[];
  edges: { from: string; to: string }[];
}

function ArtifactTable({ title, artifacts }: { title: string; artifacts: ArtifactSummary[] }) {
  return (
    <>
      <h3>{title}</h3>
      {artifacts.length === 0 ? (
        <p class="muted">none</p>
      ) : (
        <table class="grid">
          <thead>
            <tr>
              <th>artifact</th>
              <th>type</th>
              <th>aliases</th>
              <th>files</th>
              <th>size</th>
              <th>created</th>
              <th>metadata</th>
            </tr>
          </thead>
          <tbody>
            {artifacts.map((artifact) => (
              <tr key={artifact.id}>
                <td>{artifact.qualifiedName}</td>
                <td>{artifact.type}</td>
                <td>{artifact.aliases.join(", ")}</td>
                <td>{artifact.fileCount}</td>
                <td>{formatBytes(artifact.size)}</td>
                <td>{formatTime(artifact.createdAt)}</td>
                <td>
                  {Object.keys(artifact.metadata).length > 0 && (
                    <details>
                      <summary>{Object.keys(artifact.metadata).length} keys</summary>
                      <KeyValueTable value={artifact.metadata} />
                    </details>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/**
 * Column of each node: the run in the middle, what it used to the left and what it logged to the
 * right, by hop count. An artifact a run both logged and used stays on the output side, so cycles
 * cannot stretch the graph.
 */
function columns(self: string, nodes: string[], edges: { from: string; to: string }[]): Map<string, number> {
  const column = new Map<string, number>([[self, 0]]);
  const walk = (direction: 1 | -1) => {
    let frontier = [self];
    for (let hop = 1; frontier.length > 0; hop++) {
      const next: string[] = [];
      for (const node of frontier) {
        for (const edge of edges) {
          const [from, to] = direction === 1 ? [edge.from, edge.to] : [edge.to, edge.from];
          if (from === node && !column.has(to)) {
            column.set(to, direction * hop);
            next.push(to);
          }
        }
      }
      frontier = next;
    }
  };
  walk(1);
  walk(-1);
  for (const node of nodes) if (!column.has(node)) column.set(node, 0);
  const min = Math.min(...column.values());
  for (const [node, value] of column) column.set(node, value - min);
  return column;
}

function LineageGraph({ run, lineage }: { run: RunView; lineage: Lineage }) {
  const byId = new Map(lineage.artifacts.map((artifact) => [`artifact:${artifact.id}`, artifact]));
  const nodes = [...lineage.runs.map((path) => `run:${path}`), ...byId.keys()];
  if (lineage.edges.length === 0) return <p class="muted">This run has no lineage yet.</p>;
  const self = `run:${run.entity}/${run.project}/${run.id}`;
  const layer = columns(self, nodes, lineage.edges);
  const rows = new Map<number, number>();
  const position = new Map<string, { x: number; y: number }>();
  for (const node of nodes) {
    const column = layer.get(node) ?? 0;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    position.set(node, { x: 10 + column * 230, y: 10 + row * 50 });
  }
  const width = 10 + (Math.max(...layer.values()) + 1) * 230;
  const height = 10 + Math.max(...rows.values()) * 50;
  return (
    <svg class="lineage" width={width} height={height} data-testid="lineage" role="img" aria-label="lineage graph">
      {lineage.edges.map(({ from, to }) => {
        const a = position.get(from);
        const b = position.get(to);
        return a && b ? <line key={`${from}>${to}`} x1={a.x + 190} y1={a.y + 16} x2={b.x} y2={b.y + 16} class="edge" /> : null;
      })}
      {nodes.map((node) => {
        const p = position.get(node) as { x: number; y: number };
        const artifact = byId.get(node);
        const label = artifact ? `${artifact.name}:${artifact.version} (${artifact.type})` : node.slice(4);
        const [entity = "", project = "", id = ""] = node.slice(4).split("/");
        return (
          <g
            key={node}
            class={artifact ? "node artifact" : node === self ? "node run self" : "node run"}
            transform={`translate(${p.x},${p.y})`}
          >
            <rect width={190} height={32} rx={6} />
            {artifact ? (
              <text x={8} y={20}>
                {label.slice(0, 30)}
              </text>
            ) : (
              <a href={href(["r", entity, project, id])}>
                <text x={8} y={20}>
                  {label.slice(0, 30)}
                </text>
              </a>
            )}
            <title>{label}</title>
          </g>
        );
      })}
    </svg>
  );
}

export function ArtifactsPanel({ run }: { run: RunView }) {
  const lists = useAsync(() => getJson<{ logged: ArtifactSummary[]; used: ArtifactSummary[] }>(`${runPath(run)}/artifacts`), [run.id]);
  const lineage = useAsync(() => getJson<Lineage>(`${runPath(run)}/lineage`), [run.id]);
  const error = lists.error ?? lineage.error;
  if (error) return <ErrorBox error={error} />;
  return (
    <>
      {lists.data && <ArtifactTable title="Logged (outputs)" artifacts={lists.data.logged} />}
      {lists.data && <ArtifactTable title="Used (inputs)" artifacts={lists.data.used} />}
      <h3>Lineage</h3>
      {lineage.data && <LineageGraph run={run} lineage={lineage.data} />}
    </>
  );
}
