import { existsSync, readdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve, sep } from "node:path";

const MAGIC = /[*?[]/;

/** Converts one glob (`*`, `**`, `?`, `[…]`) to a RegExp over "/"-separated relative paths. */
function toRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        out += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
        i += pattern[i + 2] === "/" ? 2 : 1;
      } else out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i);
      if (end === -1) out += "\\[";
      else {
        out += `[${pattern.slice(i + 1, end).replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

/** The files a glob matches right now (as W&B: new files later are not picked up), absolute and sorted. */
export function expandGlob(pattern: string, cwd = process.cwd()): { files: string[]; staticDir: string } {
  const absolute = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
  const parts = absolute.split(sep);
  const firstMagic = parts.findIndex((part) => MAGIC.test(part));
  if (firstMagic === -1) {
    const isFile = existsSync(absolute) && statSync(absolute).isFile();
    return { files: isFile ? [absolute] : [], staticDir: parts.slice(0, -1).join(sep) || sep };
  }
  const staticDir = parts.slice(0, firstMagic).join(sep) || sep;
  const matcher = toRegExp(parts.slice(firstMagic).join("/"));
  if (!existsSync(staticDir)) return { files: [], staticDir };
  const files = (readdirSync(staticDir, { recursive: true }) as string[])
    .map((rel) => rel.split(sep).join("/"))
    .filter((rel) => matcher.test(rel))
    .map((rel) => join(staticDir, rel))
    .filter((file) => statSync(file).isFile())
    .sort();
  return { files, staticDir };
}
