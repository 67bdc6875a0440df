import { RunlogError } from "@runlog/core";

/**
 * A project's saved workspace: the dashboard's view state (runs shown, x-axis, smoothing, grouping,
 * per-panel choices…) as the flat map of URL parameters it keeps, so a saved layout and a shared
 * link are the same thing. Opening a workspace without parameters applies the saved one.
 */
export type WorkspaceLayout = Record<string, string>;

export interface SavedLayout {
  readonly layout: WorkspaceLayout;
  /** Unix seconds. */
  readonly updatedAt: number;
}

/** Where a server keeps saved layouts: a file per project (embedded) or a table (PostgreSQL). */
export interface WorkspaceLayouts {
  get(entity: string, project: string): Promise<SavedLayout | undefined>;
  put(entity: string, project: string, layout: WorkspaceLayout): Promise<SavedLayout>;
}

export const MAX_LAYOUT_ENTRIES = 64;
export const MAX_LAYOUT_VALUE = 16_384;
const PARAM = /^[A-Za-z][A-Za-z0-9._/-]{0,127}$/;

/** A layout from a request body, or INVALID_ARGUMENT saying what is wrong. */
export function parseLayout(body: unknown): WorkspaceLayout {
  const layout = (body as { layout?: unknown } | null)?.layout;
  if (layout === null || typeof layout !== "object" || Array.isArray(layout)) {
    throw new RunlogError("INVALID_ARGUMENT", 'The body must be { "layout": { "<param>": "<value>", … } }.');
  }
  const entries = Object.entries(layout as Record<string, unknown>);
  if (entries.length > MAX_LAYOUT_ENTRIES) {
    throw new RunlogError("INVALID_ARGUMENT", `A layout holds at most ${MAX_LAYOUT_ENTRIES} entries, got ${entries.length}.`);
  }
  const clean: WorkspaceLayout = {};
  for (const [key, value] of entries) {
    if (!PARAM.test(key))
      throw new RunlogError("INVALID_ARGUMENT", `Layout key ${JSON.stringify(key.slice(0, 64))} is not a parameter name.`);
    if (typeof value !== "string" || value.length > MAX_LAYOUT_VALUE) {
      throw new RunlogError("INVALID_ARGUMENT", `Layout value of "${key}" must be a string of at most ${MAX_LAYOUT_VALUE} characters.`);
    }
    clean[key] = value;
  }
  return clean;
}
