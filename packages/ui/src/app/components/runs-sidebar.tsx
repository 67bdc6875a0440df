import type { RunView } from "../api.ts";
import { href } from "../route.ts";
import { StateBadge } from "./state-badge.tsx";

export const SHOW_FIRST = [5, 10, 20, 50, 100] as const;

/** The workspace's runs: colour swatch, visibility toggle and pin per run; search, filter, sort, group and "show first N" above. */
export function RunsSidebar({
  runs,
  colors,
  visible,
  pinned,
  total,
  controls,
  onToggle,
  onPin,
}: {
  runs: readonly RunView[];
  colors: ReadonlyMap<string, string>;
  visible: ReadonlySet<string>;
  pinned: ReadonlySet<string>;
  total: number;
  controls: preact.ComponentChildren;
  onToggle(id: string): void;
  onPin(id: string): void;
}) {
  return (
    <aside class="runs-sidebar" data-testid="runs-sidebar" aria-label="runs">
      {controls}
      <p class="muted sidebar-count" data-testid="visible-count">
        {visible.size} of {total} runs shown
      </p>
      <ul class="sidebar-runs">
        {runs.map((run) => {
          const shown = visible.has(run.id);
          return (
            <li key={run.id} data-run-id={run.id} class={shown ? "" : "hidden-run"}>
              <label class="run-toggle">
                <input type="checkbox" checked={shown} aria-label={`show ${run.name}`} onChange={() => onToggle(run.id)} />
                <span class="swatch" style={{ background: colors.get(run.id) }} />
              </label>
              <a class="clip" title={run.name} href={href(["r", run.entity, run.project, run.id])}>
                {run.name}
              </a>
              <StateBadge run={run} />
              <button
                type="button"
                class={`pin${pinned.has(run.id) ? " pinned" : ""}`}
                aria-label={`${pinned.has(run.id) ? "unpin" : "pin"} ${run.name}`}
                aria-pressed={pinned.has(run.id)}
                onClick={() => onPin(run.id)}
              >
                {pinned.has(run.id) ? "★" : "☆"}
              </button>
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
