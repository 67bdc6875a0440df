import { ThemeToggle } from "./components/theme-toggle.tsx";
import { ComparePage } from "./pages/compare-page.tsx";
import { ProjectsPage } from "./pages/projects-page.tsx";
import { RunPage } from "./pages/run-page.tsx";
import { RunsPage } from "./pages/runs-page.tsx";
import { SweepPage } from "./pages/sweep-page.tsx";
import { SweepsPage } from "./pages/sweeps-page.tsx";
import { WorkspacePage } from "./pages/workspace-page.tsx";
import { href, useRoute } from "./route.ts";

export function App() {
  const route = useRoute();
  const [page, entity, project, id] = route.parts;
  let body = <ProjectsPage />;
  if (page === "p" && entity && project) body = <RunsPage entity={entity} project={project} route={route} />;
  else if (page === "w" && entity && project) body = <WorkspacePage entity={entity} project={project} route={route} />;
  else if (page === "r" && entity && project && id)
    body = <RunPage key={`${entity}/${project}/${id}`} entity={entity} project={project} id={id} route={route} />;
  else if (page === "s" && entity && project && id)
    body = <SweepPage key={`${entity}/${project}/${id}`} entity={entity} project={project} id={id} />;
  else if (page === "s" && entity && project) body = <SweepsPage entity={entity} project={project} />;
  else if (page === "c" && entity && project) body = <ComparePage entity={entity} project={project} route={route} />;
  return (
    <>
      <header class="top">
        <a class="brand" href={href([])}>
          Runlog
        </a>
        {entity && project && (
          <a class="crumb" href={href(["w", entity, project])}>
            {entity}/{project}
          </a>
        )}
        <ThemeToggle />
      </header>
      <main>{body}</main>
    </>
  );
}
