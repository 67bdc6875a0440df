import { execFile } from "node:child_process";
import { arch, cpus, hostname, platform, release, totalmem, userInfo } from "node:os";
import { readGitFiles } from "./git-files.js";

/** Host facts known instantly; git facts are added later without delaying init. */
export function hostMetadata(): Record<string, unknown> {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = undefined;
  }
  return {
    host: hostname(),
    os: `${platform()}-${release()}-${arch()}`,
    node: process.version,
    pid: process.pid,
    cwd: process.cwd(),
    program: process.argv[1],
    args: process.argv.slice(2),
    commandLine: process.argv.join(" "),
    cpuCount: cpus().length,
    memoryTotalBytes: totalmem(),
    ...(user === undefined ? {} : { user }),
  };
}

function git(args: string[], cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd, timeout: 3_000 }, (error, stdout) => resolve(error ? undefined : stdout.trim()));
  });
}

/** Removes user:password@ from a remote URL so tokens never land in the store. */
export function stripCredentials(remote: string): string {
  return remote.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]+@/i, "$1");
}

/**
 * The commit, branch, origin remote (without credentials) and whether tracked files changed. One
 * `git status` process; the rest is read from the repository's files (see git-files.ts).
 */
export async function gitMetadata(cwd = process.cwd()): Promise<Record<string, unknown>> {
  const facts = readGitFiles(cwd);
  if (facts === undefined) return {};
  if (facts === null) return gitMetadataFromGit(cwd);
  // Git itself decides whether the repository may be used here (it refuses, e.g., another user's).
  const status = await git(["status", "--porcelain", "--untracked-files=no"], cwd);
  if (status === undefined) return {};
  const { commit, branch, remote } = facts;
  return { git: { commit, branch, ...(remote ? { remote: stripCredentials(remote) } : {}), dirty: status !== "" } };
}

async function gitMetadataFromGit(cwd: string): Promise<Record<string, unknown>> {
  const commit = await git(["rev-parse", "HEAD"], cwd);
  if (commit === undefined) return {};
  const [branch, remote, status] = await Promise.all([
    git(["rev-parse", "--abbrev-ref", "HEAD"], cwd),
    git(["config", "--get", "remote.origin.url"], cwd),
    git(["status", "--porcelain", "--untracked-files=no"], cwd),
  ]);
  return {
    git: {
      commit,
      ...(branch ? { branch } : {}),
      ...(remote ? { remote: stripCredentials(remote) } : {}),
      dirty: (status ?? "") !== "",
    },
  };
}
