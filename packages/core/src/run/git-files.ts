import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";

/** What a repository's files say without running git: the commit, its branch, the origin remote. */
export interface GitFacts {
  readonly commit: string;
  /** As `git rev-parse --abbrev-ref HEAD` prints it: the branch, or "HEAD" when detached. */
  readonly branch: string;
  readonly remote?: string;
}

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The repository's git dir for `cwd` (walking up, as git does), or undefined outside any repository. */
function findGitDir(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const dotGit = join(dir, ".git");
    const stat = statSync(dotGit, { throwIfNoEntry: false });
    if (stat?.isDirectory()) return dotGit;
    if (stat?.isFile()) {
      // A worktree or submodule: ".git" is a file naming the git dir.
      const named = /^gitdir: (.+)$/m.exec(read(dotGit) ?? "")?.[1]?.trim();
      return named === undefined ? undefined : isAbsolute(named) ? named : resolve(dir, named);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function resolveRef(commonDir: string, ref: string): string | undefined {
  const loose = read(join(commonDir, ref))?.trim();
  if (loose !== undefined && SHA.test(loose)) return loose;
  for (const line of (read(join(commonDir, "packed-refs")) ?? "").split("\n")) {
    const [sha, name] = line.split(" ");
    if (name === ref && sha !== undefined && SHA.test(sha)) return sha;
  }
  return undefined;
}

function originUrl(config: string): string | undefined {
  let inOrigin = false;
  for (const raw of config.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("[")) inOrigin = /^\[remote\s+"origin"\]$/.test(line);
    else if (inOrigin) {
      const url = /^url\s*=\s*(.*)$/.exec(line)?.[1];
      if (url !== undefined) return url.trim().replace(/^"(.*)"$/, "$1");
    }
  }
  return undefined;
}

/**
 * Reads HEAD, refs and config directly: a few small files instead of three `git` processes (each
 * spawn costs the calling thread a fork of the whole process). Undefined outside a repository;
 * null when the files are not plain (GIT_DIR set, a reftable, a ref not found): ask git then.
 */
export function readGitFiles(cwd: string): GitFacts | undefined | null {
  if (process.env.GIT_DIR !== undefined || process.env.GIT_WORK_TREE !== undefined) return null;
  const gitDir = findGitDir(cwd);
  if (gitDir === undefined) return undefined;
  const head = read(join(gitDir, "HEAD"))?.trim();
  if (head === undefined) return null;
  const common = read(join(gitDir, "commondir"))?.trim();
  const commonDir = common === undefined ? gitDir : resolve(gitDir, common);
  const config = read(join(commonDir, "config")) ?? "";
  if (/^\s*refStorage\s*=/im.test(config)) return null;
  let commit: string | undefined;
  let branch = "HEAD";
  if (SHA.test(head)) commit = head;
  else {
    const ref = /^ref: (refs\/.+)$/.exec(head)?.[1];
    if (ref === undefined) return null;
    commit = resolveRef(commonDir, ref);
    branch = ref.replace(/^refs\/heads\//, "");
  }
  if (commit === undefined) return null; // a branch with no commit yet, or a ref we cannot read
  const remote = originUrl(config);
  return { commit, branch, ...(remote === undefined ? {} : { remote }) };
}
