import type { Pool } from "pg";
import type { SavedLayout, WorkspaceLayout, WorkspaceLayouts } from "./workspace-layouts.js";

/** Layouts of the team store: one row per project (migration "workspace_layouts"). */
export class PgWorkspaceLayouts implements WorkspaceLayouts {
  constructor(private readonly pool: Pool) {}

  async get(entity: string, project: string): Promise<SavedLayout | undefined> {
    const { rows } = await this.pool.query<{ layout: WorkspaceLayout; updated_at: Date }>(
      "SELECT layout, updated_at FROM workspace_layouts WHERE entity = $1 AND project = $2",
      [entity, project],
    );
    const row = rows[0];
    return row === undefined ? undefined : { layout: row.layout, updatedAt: row.updated_at.getTime() / 1000 };
  }

  async put(entity: string, project: string, layout: WorkspaceLayout): Promise<SavedLayout> {
    const { rows } = await this.pool.query<{ updated_at: Date }>(
      `INSERT INTO workspace_layouts (entity, project, layout, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (entity, project) DO UPDATE SET layout = EXCLUDED.layout, updated_at = EXCLUDED.updated_at
       RETURNING updated_at`,
      [entity, project, JSON.stringify(layout)],
    );
    return { layout, updatedAt: (rows[0] as { updated_at: Date }).updated_at.getTime() / 1000 };
  }
}
