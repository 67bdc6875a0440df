import { formatTime } from "../../lib/format.ts";
import { getJson } from "../api.ts";
import { href } from "../route.ts";
import { ErrorBox, useAsync } from "../use-async.tsx";

interface Project {
  entity: string;
  name: string;
  createdAt: number;
  runCount: number;
}

export function ProjectsPage() {
  const { data, error } = useAsync(() => getJson<Project[]>("/projects"), []);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <p class="muted">Loading projects…</p>;
  if (data.length === 0) return <p class="muted">No runs yet. Log one with init() from @runlog/core, then reload.</p>;
  return (
    <section>
      <h1>Projects</h1>
      <table class="grid" data-testid="projects">
        <thead>
          <tr>
            <th>project</th>
            <th>entity</th>
            <th>runs</th>
            <th>created</th>
          </tr>
        </thead>
        <tbody>
          {data.map((project) => (
            <tr key={`${project.entity}/${project.name}`}>
              <td>
                <a href={href(["w", project.entity, project.name])}>{project.name}</a>
              </td>
              <td>{project.entity}</td>
              <td>{project.runCount}</td>
              <td>{formatTime(project.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
