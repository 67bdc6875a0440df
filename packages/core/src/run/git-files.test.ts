import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempRoot } from "../test-support/temp-root.js";
import { readGitFiles } from "./git-files.js";

/** What git itself says, to compare the file reader against. */
function gitSays(cwd: string) {
  const git = (...args: string[]) => execFileSync("git", ["-C", cwd, ...args], { encoding: "utf8" }).trim();
  let remote: string | undefined;
  try {
    remote = git("config", "--get", "remote.origin.url");
  } catch {
    remote = undefined;
  }
  return { commit: git("rev-parse", "HEAD"), branch: git("rev-parse", "--abbrev-ref", "HEAD"), ...(remote ? { remote } : {}) };
}

describe("readGitFiles", () => {
  it("agrees with git on loose and packed refs, a detached HEAD, a worktree and a subfolder", () => {
    const repo = tempRoot();
    const git = (...args: string[]) =>
      execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { encoding: "utf8" }).trim();
    git("init", "-q", "-b", "main");
    expect(readGitFiles(repo)).toBeNull(); // a branch with no commit yet: git is asked
    writeFileSync(join(repo, "a.txt"), "1\n");
    git("add", ".");
    git("commit", "-qm", "first");
    expect(readGitFiles(repo)).toEqual(gitSays(repo));
    git("remote", "add", "origin", "git@example.com:team/repo.git");
    git("checkout", "-q", "-b", "feature/x");
    git("commit", "-q", "--allow-empty", "-m", "second");
    expect(readGitFiles(repo)).toEqual(gitSays(repo));
    git("pack-refs", "--all", "--prune");
    expect(readGitFiles(repo)).toEqual(gitSays(repo));
    mkdirSync(join(repo, "src", "deep"), { recursive: true });
    expect(readGitFiles(join(repo, "src", "deep"))).toEqual(gitSays(repo));
    git("checkout", "-q", "--detach", "main");
    expect(readGitFiles(repo)).toMatchObject({ branch: "HEAD" });
    expect(readGitFiles(repo)).toEqual(gitSays(repo));
    const worktree = join(tempRoot(), "wt");
    git("worktree", "add", "-q", "-b", "side", worktree, "feature/x");
    expect(readGitFiles(worktree)).toEqual(gitSays(worktree));
    expect(readGitFiles(worktree)).toMatchObject({ branch: "side", remote: "git@example.com:team/repo.git" });
  });

  it("is undefined outside a repository and null (ask git) for a .git it cannot follow", () => {
    expect(readGitFiles(tempRoot())).toBeUndefined();
    const odd = tempRoot();
    writeFileSync(join(odd, ".git"), "not a gitdir line\n");
    expect(readGitFiles(odd)).toBeUndefined();
    const broken = tempRoot();
    mkdirSync(join(broken, ".git"));
    writeFileSync(join(broken, ".git", "HEAD"), "garbage\n");
    expect(readGitFiles(broken)).toBeNull();
  });
});
