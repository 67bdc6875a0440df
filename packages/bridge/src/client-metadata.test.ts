import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { Api, RunlogError } from "@runlog/core";
import { tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";
import { clientFacts, clientGit } from "./client-metadata.js";
import { handleFinish, handleInit } from "./handlers.js";
import { Sessions } from "./sessions.js";

function repo(remote?: string): { root: string; commit: string } {
  const root = tempRoot();
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", root, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { encoding: "utf8" }).trim();
  git("init", "-q", "-b", "main");
  writeFileSync(join(root, "train.py"), "print(1)\n");
  git("add", ".");
  git("commit", "-qm", "first");
  if (remote) git("remote", "add", "origin", remote);
  return { root, commit: git("rev-parse", "HEAD") };
}

function refused(raw: unknown): string {
  try {
    clientFacts(raw);
  } catch (error) {
    expect(RunlogError.isInstance(error) && error.code).toBe("INVALID_ARGUMENT");
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(raw)?.slice(0, 80)}`);
}

describe("init's client map", () => {
  it("refuses wrong types, oversized fields, NUL and relative folders with INVALID_ARGUMENT", () => {
    expect(refused("python")).toMatch(/client must be a map/);
    expect(refused([1])).toMatch(/client must be a map/);
    expect(refused({ cwd: "relative/dir" })).toMatch(/client\.cwd must be an absolute path/);
    expect(refused({ cwd: "/tmp/\0/etc" })).toMatch(/client\.cwd must be a string/);
    expect(refused({ cwd: `/${"a".repeat(5000)}` })).toMatch(/client\.cwd/);
    expect(refused({ cwd: { toString: "/" } })).toMatch(/client\.cwd/);
    expect(refused({ program: 7 })).toMatch(/client\.program/);
    expect(refused({ host: "h".repeat(300) })).toMatch(/client\.host/);
    expect(refused({ pid: -1 })).toMatch(/client\.pid/);
    expect(refused({ pid: 1.5 })).toMatch(/client\.pid/);
    expect(refused({ args: "--lr 1" })).toMatch(/client\.args must be a list/);
    expect(refused({ args: [1] })).toMatch(/client\.args/);
    expect(refused({ args: Array(5000).fill("x") })).toMatch(/client\.args must be a list of at most 4096/);
    expect(refused({ args: Array(5).fill("x".repeat(120_000)) })).toMatch(/characters in all/);
    expect(refused({ disable_git: "yes" })).toMatch(/client\.disable_git/);
  });

  it("keeps the known fields, drops the rest, and reads git only for a folder on this host", () => {
    const facts = clientFacts({
      lang: "python",
      host: hostname(),
      pid: 42,
      cwd: "/work/a",
      program: "/work/a/train.py",
      args: ["--lr", "0.1"],
      executable: "/usr/bin/python3",
      evil: { nested: true },
    });
    expect(facts?.client).toEqual({
      lang: "python",
      host: hostname(),
      pid: 42,
      cwd: "/work/a",
      program: "/work/a/train.py",
      args: ["--lr", "0.1"],
      executable: "/usr/bin/python3",
    });
    expect(facts?.metadata).toMatchObject({
      cwd: "/work/a",
      program: "/work/a/train.py",
      commandLine: "/usr/bin/python3 /work/a/train.py --lr 0.1",
    });
    expect(facts?.gitCwd).toBe("/work/a");
    expect(clientFacts({ host: `not-${hostname()}`, cwd: "/work/a" })?.gitCwd).toBeUndefined();
    expect(clientFacts({ cwd: "/work/a", disable_git: true })?.gitCwd).toBeUndefined();
    expect(clientFacts(undefined)).toBeUndefined();
  });
});

describe("the client's git facts", () => {
  it("reads its own repository's commit and strips credentials; {} outside a repository or for a missing folder or a file", async () => {
    const { root, commit } = repo("https://user:ghp_secret@example.com/team/a.git");
    const sub = join(root, "src");
    mkdirSync(sub);
    expect((await clientGit(sub)).git).toEqual({ commit, branch: "main", remote: "https://example.com/team/a.git", dirty: false, root });
    writeFileSync(join(root, "train.py"), "print(2)\n");
    expect(((await clientGit(root)).git as Record<string, unknown>).dirty).toBe(true);
    expect(await clientGit(tempRoot())).toEqual({});
    expect(await clientGit(join(root, "missing"))).toEqual({});
    expect(await clientGit(join(root, "train.py"))).toEqual({});
  });

  it("never runs a program a hostile repository's config names (core.fsmonitor) and ignores the bridge's GIT_DIR", async () => {
    const { root, commit } = repo();
    const marker = join(tempRoot(), "ran");
    const hook = join(root, "hook.sh");
    writeFileSync(hook, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    execFileSync("git", ["-C", root, "config", "core.fsmonitor", hook]);
    const other = repo();
    const saved = process.env.GIT_DIR;
    process.env.GIT_DIR = join(other.root, ".git");
    try {
      expect(((await clientGit(root)).git as Record<string, unknown>).commit).toBe(commit);
    } finally {
      if (saved === undefined) delete process.env.GIT_DIR;
      else process.env.GIT_DIR = saved;
    }
    expect(existsSync(marker)).toBe(false);
  });
});

describe("a hosted run's metadata", () => {
  it("names the client's folder, program and repository, not the bridge's; a bad client map creates no run", async () => {
    const dir = tempRoot();
    const context = { dir, sessions: new Sessions(), defaultCrashTimeoutMs: 300_000 };
    const peer = Buffer.from("peer");
    const bad = handleInit(context, { project: "p", entity: "e", client: { cwd: "../.." } }, peer);
    await expect(bad).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(existsSync(join(dir, "e")) && readdirSync(join(dir, "e"))).toBeFalsy();

    const { root, commit } = repo();
    const client = { lang: "python", host: hostname(), pid: 7, cwd: root, program: join(root, "train.py"), args: ["--x"] };
    const described = (await handleInit(context, { project: "p", entity: "e", client }, peer)) as { id: string; path: string };
    const session = context.sessions.get(described.id);
    expect(session?.gitMetadata).toBeDefined();
    await handleFinish(context, session as NonNullable<typeof session>, 0);
    const api = new Api({ dir });
    try {
      const metadata = (await api.run(described.path)).metadata;
      expect(metadata).toMatchObject({ cwd: root, program: join(root, "train.py"), args: ["--x"], pid: 7, client });
      expect(metadata.git).toEqual({ commit, branch: "main", dirty: false, root });
    } finally {
      api.close();
    }
  });
});
