import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./code-blocks.js";

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  engines?: { node?: string };
  exports?: Record<string, string | Record<string, string>>;
  bin?: Record<string, string>;
  files?: string[];
}

/** The publishable workspace packages (packages/*), with their folders. */
export function publishablePackages(): { dir: string; manifest: Manifest }[] {
  return readdirSync(join(REPO, "packages"))
    .sort()
    .map((name) => {
      const dir = join(REPO, "packages", name);
      return { dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest };
    })
    .filter((p) => p.manifest.private !== true);
}
