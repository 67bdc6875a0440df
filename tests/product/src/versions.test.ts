import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exec } from "./block-runner.js";
import { REPO } from "./code-blocks.js";
import { publishablePackages } from "./packages.js";

const SCRIPT = join(REPO, "scripts", "python-version.mjs");
const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

/** The files scripts/python-version.mjs reads, copied into a scratch tree. */
function scratchRepo(): string {
  const root = mkdtempSync(join(tmpdir(), "runlog-versions-"));
  folders.push(root);
  mkdirSync(join(root, "scripts"));
  cpSync(SCRIPT, join(root, "scripts", "python-version.mjs"));
  for (const { dir } of publishablePackages()) {
    const name = dir.slice(join(REPO, "packages").length + 1);
    mkdirSync(join(root, "packages", name), { recursive: true });
    cpSync(join(dir, "package.json"), join(root, "packages", name, "package.json"));
  }
  cpSync(join(REPO, "packages", "bridge", "python", "pyproject.toml"), join(root, "packages", "bridge", "python", "pyproject.toml"));
  mkdirSync(join(root, "packages", "bridge", "python", "runlog"), { recursive: true });
  cpSync(
    join(REPO, "packages", "bridge", "python", "runlog", "__init__.py"),
    join(root, "packages", "bridge", "python", "runlog", "__init__.py"),
  );
  return root;
}

describe("versioning (changesets)", () => {
  it("versions every published package in one fixed group", () => {
    const config = JSON.parse(readFileSync(join(REPO, ".changeset", "config.json"), "utf8")) as { fixed: string[][] };
    expect(config.fixed).toHaveLength(1);
    expect([...(config.fixed[0] ?? [])].sort()).toEqual(
      publishablePackages()
        .map((p) => p.manifest.name)
        .sort(),
    );
    expect(new Set(publishablePackages().map((p) => p.manifest.version)).size).toBe(1);
  });

  it("keeps the Python client's version equal to the npm packages': the check fails on a difference, --write fixes it", async () => {
    expect((await exec(process.execPath, [SCRIPT], { cwd: REPO })).code).toBe(0);
    const root = scratchRepo();
    const pyproject = join(root, "packages", "bridge", "python", "pyproject.toml");
    writeFileSync(pyproject, readFileSync(pyproject, "utf8").replace(/^version = "[^"]*"$/m, 'version = "9.9.9"'));
    const script = join(root, "scripts", "python-version.mjs");
    const failed = await exec(process.execPath, [script], { cwd: root });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/pyproject\.toml: 9\.9\.9/);
    expect(failed.stderr).not.toMatch(/__init__\.py/);
    expect((await exec(process.execPath, [script, "--write"], { cwd: root })).code).toBe(0);
    expect((await exec(process.execPath, [script], { cwd: root })).code).toBe(0);
    const version = publishablePackages()[0]?.manifest.version;
    expect(readFileSync(pyproject, "utf8")).toContain(`version = "${version}"`);
  });
});
