import { existsSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { describeValue, RunlogError } from "../errors.js";

function refuse(what: string, value: unknown, why: string): never {
  throw new RunlogError("PATH_OUTSIDE_ROOT", `${what} ${describeValue(value)} is refused: ${why}.`);
}

/**
 * Validates a relative path that came from a user, a manifest or a client (an artifact entry
 * name, a `restore` name): POSIX separators, no absolute or drive paths, no `..`, no NUL.
 * Returns it normalized (no `.` segments, no duplicate slashes).
 */
export function safeRelativePath(value: unknown, what = "path"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 4096) refuse(what, value, "expected 1–4096 characters");
  if (value.includes("\0")) refuse(what, value, "it contains a NUL byte");
  if (value.includes("\\")) refuse(what, value, 'use "/" as the separator');
  if (/^[A-Za-z]:/.test(value)) refuse(what, value, "Windows drive paths are not relative");
  if (value.startsWith("/")) refuse(what, value, "absolute paths are not allowed");
  const parts = value.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.some((part) => part === "..")) refuse(what, value, '".." may not leave the root');
  if (parts.length === 0) refuse(what, value, "it names no file");
  return parts.join("/");
}

/** The real path of `path`: symlinks resolved in its longest existing prefix, the rest appended. */
function realpathOfExisting(path: string): string {
  let existing = path;
  while (!existsSync(existing) && existing !== dirname(existing)) existing = dirname(existing);
  const real = existsSync(existing) ? realpathSync(existing) : existing;
  return join(real, relative(existing, path));
}

/**
 * Joins `relativePath` (already validated) under `root` and checks that the result, with
 * symlinks resolved as far as they exist, stays inside `root`.
 */
export function resolveInside(root: string, relativePath: string, what = "path"): string {
  const base = resolve(root);
  const target = join(base, ...safeRelativePath(relativePath, what).split("/"));
  const rel = relative(realpathOfExisting(base), realpathOfExisting(target));
  if (isAbsolute(rel) || rel.split(sep)[0] === "..") {
    refuse(what, relativePath, `a symbolic link leads outside ${base}`);
  }
  return target;
}
