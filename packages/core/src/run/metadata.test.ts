import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempRoot } from "../test-support/temp-root.js";
import { gitMetadata, hostMetadata, stripCredentials } from "./metadata.js";

describe("run metadata", () => {
  it("records host facts and the command line", () => {
    const meta = hostMetadata();
    expect(meta).toMatchObject({ node: process.version, pid: process.pid, cwd: process.cwd() });
    expect(String(meta.commandLine)).toContain(process.argv[1]);
  });

  it("records commit, branch, dirty state and a credential-free remote from a real repository", async () => {
    const repo = tempRoot();
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { encoding: "utf8" }).trim();
    git("init", "-q", "-b", "main");
    writeFileSync(join(repo, "train.py"), "print(1)\n");
    git("add", ".");
    git("commit", "-qm", "first");
    git("remote", "add", "origin", "https://user:ghp_secret@example.com/team/repo.git");
    const clean = (await gitMetadata(repo)).git as Record<string, unknown>;
    expect(clean).toEqual({ commit: git("rev-parse", "HEAD"), branch: "main", remote: "https://example.com/team/repo.git", dirty: false });
    writeFileSync(join(repo, "train.py"), "print(2)\n");
    expect(((await gitMetadata(repo)).git as Record<string, unknown>).dirty).toBe(true);
    expect(await gitMetadata(tempRoot())).toEqual({});
  });

  it("strips user:password@ from remotes only", () => {
    expect(stripCredentials("https://tok@github.com/a/b")).toBe("https://github.com/a/b");
    expect(stripCredentials("git@github.com:a/b.git")).toBe("git@github.com:a/b.git");
    expect(stripCredentials("ssh://git@host/a/b")).toBe("ssh://host/a/b");
  });
});
