import { href } from "../route.ts";

const VIEWS = [
  { name: "workspace", page: "w" },
  { name: "runs", page: "p" },
  { name: "sweeps", page: "s" },
] as const;

/** The project's views: the workspace (panels over all runs), the runs table and its sweeps. */
export function ProjectTabs({ entity, project, active }: { entity: string; project: string; active: (typeof VIEWS)[number]["name"] }) {
  return (
    <>
      <h1>
        {entity}/{project}
      </h1>
      <nav class="tabs" aria-label="project views">
        {VIEWS.map((view) => (
          <a
            key={view.name}
            class={active === view.name ? "active" : ""}
            href={href([view.page, entity, project])}
            aria-current={active === view.name ? "page" : undefined}
          >
            {view.name}
          </a>
        ))}
      </nav>
    </>
  );
}
