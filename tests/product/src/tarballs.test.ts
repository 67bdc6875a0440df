import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exec } from "./block-runner.js";
import { publishablePackages } from "./packages.js";

interface PackResult {
  name: string;
  files: { path: string }[];
}

async function packedFiles(dir: string): Promise<string[]> {
  const ran = await exec("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: dir, timeoutMs: 60_000 });
  expect(ran.code, ran.stderr).toBe(0);
  const [result] = JSON.parse(ran.stdout) as PackResult[];
  return (result?.files ?? []).map((f) => f.path).sort();
}

describe("published tarballs hold what a user needs and nothing else", () => {
  for (const { dir, manifest } of publishablePackages()) {
    it(`${manifest.name}`, async () => {
      const files = await packedFiles(dir);
      expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json"]));
      if (manifest.name === "@runlog/bridge") expect(files).toContain("PROTOCOL.md");
      // Build leftovers and dev-only modules stay out.
      expect(files.filter((f) => f.endsWith(".tsbuildinfo"))).toEqual([]);
      expect(files.filter((f) => /\.test\.|test-support|(^|\/)dev\/|\/browser\//.test(f))).toEqual([]);
      // Source maps point at src/, which is not published: no maps at all.
      expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
      expect(files.filter((f) => f.startsWith("src/"))).toEqual([]);
      // Everything else is the build, the bin shim or the docs.
      const known = /^(dist\/|bin\/|LICENSE$|README\.md$|PROTOCOL\.md$|THIRD_PARTY_NOTICES\.md$|package\.json$)/;
      expect(files.filter((f) => !known.test(f))).toEqual([]);
      // What exports and bin name is inside, typings included.
      for (const target of Object.values(manifest.exports ?? {})) {
        const paths = typeof target === "string" ? [target] : Object.values(target);
        for (const path of paths) expect(files).toContain(path.replace(/^\.\//, ""));
      }
      expect(Object.keys(manifest.exports ?? {}).some((k) => k === ".")).toBe(true);
      expect(files.some((f) => f.endsWith(".d.ts"))).toBe(true);
      for (const path of Object.values(manifest.bin ?? {})) expect(files).toContain(path.replace(/^\.\//, ""));
      // ESM require() needs Node 20.19 (unflagged require(esm)); engines says so, and so does the README.
      expect(manifest.engines?.node).toBe(">=20.19");
      const readme = readFileSync(join(dir, "README.md"), "utf8");
      expect(readme, `${manifest.name} README`).toMatch(/ESM only/);
      expect(readme, `${manifest.name} README`).toMatch(/Node ≥ 20\.19/);
    });
  }
});
