import { href } from "../route.ts";

/** The project's views: the workspace (panels over all runs) and the runs table. */
export function ProjectTabs({ entity, project, active }: { entity: string; project: string; active: "workspace" | "runs" }) {
  return (
    <>
      <h1>
        {entity}/{project}
      </h1>
      <nav class="tabs" aria-label="project views">
        <a
          class={active === "workspace" ? "active" : ""}
          href={href(["w", entity, project])}
          aria-current={active === "workspace" ? "page" : undefined}
        >
          workspace
        </a>
        <a
          class={active === "runs" ? "active" : ""}
          href={href(["p", entity, project])}
          aria-current={active === "runs" ? "page" : undefined}
        >
          runs
        </a>
      </nav>
    </>
  );
}
