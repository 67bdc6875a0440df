import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SavedLayout, WorkspaceLayout, WorkspaceLayouts } from "./workspace-layouts.js";

/**
 * Layouts of the embedded store, one JSON file per project under `server/workspaces/`. The file is
 * named by a hash of entity and project (names from clients never become paths) and replaced
 * atomically (write, then rename), so a crash leaves the old layout or the new one.
 */
export class FileWorkspaceLayouts implements WorkspaceLayouts {
  constructor(private readonly dir: string) {}

  private fileOf(entity: string, project: string): string {
    return join(this.dir, `${createHash("sha256").update(`${entity}\0${project}`).digest("hex")}.json`);
  }

  async get(entity: string, project: string): Promise<SavedLayout | undefined> {
    let text: string;
    try {
      text = readFileSync(this.fileOf(entity, project), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const saved = JSON.parse(text) as SavedLayout & { entity: string; project: string };
    return { layout: saved.layout, updatedAt: saved.updatedAt };
  }

  async put(entity: string, project: string, layout: WorkspaceLayout): Promise<SavedLayout> {
    mkdirSync(this.dir, { recursive: true });
    const saved = { entity, project, layout, updatedAt: Date.now() / 1000 };
    const file = this.fileOf(entity, project);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(saved));
    renameSync(temp, file);
    return { layout, updatedAt: saved.updatedAt };
  }
}
