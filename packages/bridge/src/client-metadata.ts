import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { hostname } from "node:os";
import { isAbsolute } from "node:path";
import { RunlogError } from "@runlog/core";

/**
 * What init's `client` map says about the process that logs (W&B's run metadata: cwd, program,
 * args, python, executable, pid, host, user, os). A hosted run's own metadata describes the bridge
 * process, and a shared bridge outlives the script that started it, so these replace it.
 */
export interface ClientFacts {
  /** The validated map, kept as the run's `client` metadata. */
  readonly client: Record<string, unknown>;
  /** The run's top-level metadata fields the client's facts replace. */
  readonly metadata: Record<string, unknown>;
  /** The client's folder to read git facts for, when the bridge may (same host, git not disabled). */
  readonly gitCwd: string | undefined;
}

const PATH_MAX = 4096;
// Linux's own bounds on a command line (MAX_ARG_STRLEN per argument), and a quarter of its ARG_MAX in all.
const ARGS_MAX = 4096;
const ARG_MAX = 128 * 1024;
const ARGS_CHARS_MAX = 512 * 1024;
const TEXT_FIELDS: Record<string, number> = {
  lang: 32,
  python: 64,
  host: 255,
  os: 256,
  user: 256,
  program: PATH_MAX,
  executable: PATH_MAX,
};

function refuse(field: string, expected: string): never {
  throw new RunlogError("INVALID_ARGUMENT", `init's client.${field} must be ${expected}.`);
}

function text(field: string, value: unknown, max: number): string {
  if (typeof value !== "string" || value.length > max || value.includes("\0"))
    refuse(field, `a string of at most ${max} characters without NUL`);
  return value;
}

/** Checks init's `client` map: types and sizes per field; unknown fields are dropped. Absent gives no facts. */
export function clientFacts(raw: unknown): ClientFacts | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object" || Array.isArray(raw) || raw instanceof Uint8Array) {
    throw new RunlogError("INVALID_ARGUMENT", "init's client must be a map.");
  }
  const given = raw as Record<string, unknown>;
  const client: Record<string, unknown> = {};
  for (const [field, max] of Object.entries(TEXT_FIELDS)) {
    const value = given[field];
    if (value !== undefined && value !== null) client[field] = text(field, value, max);
  }
  if (given.pid !== undefined && given.pid !== null) {
    if (!Number.isSafeInteger(given.pid) || (given.pid as number) < 0) refuse("pid", "a non-negative integer");
    client.pid = given.pid;
  }
  if (given.cwd !== undefined && given.cwd !== null) {
    const cwd = text("cwd", given.cwd, PATH_MAX);
    if (!isAbsolute(cwd)) refuse("cwd", "an absolute path");
    client.cwd = cwd;
  }
  if (given.args !== undefined && given.args !== null) {
    if (!Array.isArray(given.args) || given.args.length > ARGS_MAX) refuse("args", `a list of at most ${ARGS_MAX} strings`);
    const args = given.args.map((arg) => text("args", arg, ARG_MAX));
    if (args.reduce((total, arg) => total + arg.length, 0) > ARGS_CHARS_MAX) refuse("args", `at most ${ARGS_CHARS_MAX} characters in all`);
    client.args = args;
  }
  if (given.disable_git !== undefined && given.disable_git !== null && typeof given.disable_git !== "boolean")
    refuse("disable_git", "true or false");
  const metadata: Record<string, unknown> = {};
  for (const field of ["host", "os", "pid", "cwd", "program", "args", "python", "executable", "user"]) {
    if (client[field] !== undefined) metadata[field] = client[field];
  }
  if (client.program !== undefined) {
    metadata.commandLine = [client.executable ?? "python", client.program, ...((client.args as string[] | undefined) ?? [])].join(" ");
  }
  // The bridge reads git only for a folder on its own host: a remote client's path names nothing here.
  const local = client.host === undefined || client.host === hostname();
  const gitCwd = local && given.disable_git !== true ? (client.cwd as string | undefined) : undefined;
  return { client, metadata, gitCwd };
}

/** git's environment: none of the bridge's GIT_* (GIT_DIR would name another repository), no prompts, no index lock. */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GIT_")) env[key] = value;
  return { ...env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" };
}

function git(args: string[], cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    // No shell: the client's folder is only git's working directory. fsmonitor off: a repository's
    // config could otherwise name a program for `git status` to run.
    execFile("git", ["-c", "core.fsmonitor=false", ...args], { cwd, timeout: 3_000, maxBuffer: 1 << 20, env: gitEnv() }, (error, stdout) =>
      resolve(error ? undefined : stdout.trim()),
    );
  });
}

/** Removes user:password@ from a remote URL so tokens never land in the store (as core does for its own runs). */
function stripCredentials(remote: string): string {
  return remote.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]+@/i, "$1");
}

/**
 * The git facts of the client's folder (commit, branch, remote, dirty, root), as core records them
 * for its own process; {} when the folder is gone, is not a directory or is in no repository.
 */
export async function clientGit(cwd: string): Promise<Record<string, unknown>> {
  if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) return {};
  const head = await git(["rev-parse", "--show-toplevel", "HEAD", "--abbrev-ref", "HEAD"], cwd);
  const [root, commit, branch] = head?.split("\n") ?? [];
  if (!root || !commit || !/^[0-9a-f]{40,64}$/.test(commit)) return {};
  const [remote, status] = await Promise.all([
    git(["config", "--get", "remote.origin.url"], cwd),
    git(["status", "--porcelain", "--untracked-files=no"], cwd),
  ]);
  return {
    git: {
      commit,
      ...(branch ? { branch } : {}),
      ...(remote ? { remote: stripCredentials(remote) } : {}),
      dirty: (status ?? "") !== "",
      root,
    },
  };
}
