import { formatTime } from "../../lib/format.ts";
import type { SweepView } from "../../lib/sweeps.ts";
import { getJson } from "../api.ts";
import { SweepStateBadge } from "../components/sweep-state-badge.tsx";
import { href } from "../route.ts";
import { ErrorBox, useAsync } from "../use-async.tsx";
import { ProjectTabs } from "./project-tabs.tsx";

const enc = encodeURIComponent;

/** The project's sweeps, newest first, each linking to its page. */
export function SweepsPage({ entity, project }: { entity: string; project: string }) {
  const { data, error } = useAsync(
    () => getJson<{ sweeps: SweepView[] }>(`/projects/${enc(entity)}/${enc(project)}/sweeps`),
    [entity, project],
  );
  return (
    <section>
      <ProjectTabs entity={entity} project={project} active="sweeps" />
      {error && <ErrorBox error={error} />}
      {!data && !error && <p class="muted">Loading sweeps…</p>}
      {data?.sweeps.length === 0 && <p class="muted">No sweeps in this project. Create one with `runlog sweep config.yaml`.</p>}
      {data && data.sweeps.length > 0 && (
        <div class="wide-scroll">
          <table class="grid" data-testid="sweeps-table">
            <thead>
              <tr>
                <th>sweep</th>
                <th>state</th>
                <th>method</th>
                <th>metric</th>
                <th>created</th>
              </tr>
            </thead>
            <tbody>
              {data.sweeps.map((sweep) => (
                <tr key={sweep.id} data-sweep-id={sweep.id}>
                  <td>
                    <a href={href(["s", entity, project, sweep.id])}>{sweep.config.name ?? sweep.id}</a>
                  </td>
                  <td>
                    <SweepStateBadge state={sweep.state} />
                  </td>
                  <td>{sweep.config.method}</td>
                  <td>{sweep.config.metric ? `${sweep.config.metric.goal ?? "minimize"} ${sweep.config.metric.name}` : ""}</td>
                  <td>{formatTime(sweep.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
