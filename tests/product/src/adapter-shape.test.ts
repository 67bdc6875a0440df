import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { publishablePackages } from "./packages.js";

/** Every .js file of a package's build, relative to the package ("./dist/…"). */
function builtFiles(dir: string): string[] {
  const dist = join(dir, "dist");
  return (readdirSync(dist, { recursive: true }) as string[])
    .filter((name) => name.endsWith(".js"))
    .map((name) => `./${relative(dir, join(dist, name))}`);
}

describe("adapters have the same shape", () => {
  const adapters = publishablePackages().filter((p) => p.manifest.name !== "@runlog/core");

  it("a package whose module registers a watcher or a hook when imported declares it, and its entry, in sideEffects", () => {
    const undeclared: string[] = [];
    for (const { dir, manifest } of adapters) {
      const declared = new Set((manifest as { sideEffects?: string[] }).sideEffects ?? []);
      const registering = builtFiles(dir).filter((file) =>
        /^(registerWatcher|registerConfigureHook)\(/m.test(readFileSync(join(dir, file), "utf8")),
      );
      if (registering.length === 0) continue;
      for (const file of [...registering, "./dist/index.js"]) if (!declared.has(file)) undeclared.push(`${manifest.name}: ${file}`);
    }
    expect(undeclared).toEqual([]);
  });
});
