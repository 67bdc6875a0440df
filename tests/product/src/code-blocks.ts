import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));

/** A fenced code block of a Markdown file. */
export interface CodeBlock {
  /** Repo-relative path and 1-based line of the opening fence, for error messages. */
  readonly where: string;
  readonly file: string;
  readonly lang: string;
  /** The info string's words after the language, e.g. `no-run`. */
  readonly flags: readonly string[];
  readonly code: string;
}

const TS = new Set(["ts", "typescript"]);
const JS = new Set(["js", "javascript", "mjs"]);
const SHELL = new Set(["bash", "sh", "shell"]);
const PYTHON = new Set(["python", "py"]);

export type BlockKind = "ts" | "js" | "shell" | "python" | "other";

export function blockKind(block: CodeBlock): BlockKind {
  if (TS.has(block.lang)) return "ts";
  if (JS.has(block.lang)) return "js";
  if (SHELL.has(block.lang)) return "shell";
  if (PYTHON.has(block.lang)) return "python";
  return "other";
}

/** Runnable: a ts/js/shell/python block without `no-run` in its info string. */
export function isRunnable(block: CodeBlock): boolean {
  return blockKind(block) !== "other" && !block.flags.includes("no-run");
}

/** Shell blocks that install packages run in the consumer test, against the local registry. */
export function isInstallBlock(block: CodeBlock): boolean {
  return blockKind(block) === "shell" && /^\s*(\w+=\S*\s+)*(npm install|pip install)\b/.test(block.code);
}

export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  let open: { indent: number; fence: string; info: string; start: number; body: string[] } | undefined;
  lines.forEach((line, index) => {
    const fence = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(line);
    if (open === undefined) {
      if (fence)
        open = { indent: fence[1]?.length ?? 0, fence: fence[2] ?? "```", info: (fence[3] ?? "").trim(), start: index + 1, body: [] };
      return;
    }
    if (fence?.[2]?.startsWith(open.fence) && fence[3] === "") {
      const [lang = "", ...flags] = open.info.split(/\s+/).filter(Boolean);
      const code = open.body.map((l) => l.slice(Math.min(open?.indent ?? 0, l.length - l.trimStart().length))).join("\n");
      blocks.push({ where: `${relative(REPO, file)}:${open.start}`, file, lang: lang.toLowerCase(), flags, code: `${code}\n` });
      open = undefined;
      return;
    }
    open.body.push(line);
  });
  if (open !== undefined) throw new Error(`${relative(REPO, file)}:${open.start}: a code fence is never closed`);
  return blocks;
}

/** Lines where a code fence starts mid-line (a fence glued to prose renders as text, and the blocks after it pair up wrongly). */
export function strayFences(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .flatMap((line, index) => (/\S.*```/.test(line.replace(/^\s*```.*$/, "")) ? [`${relative(REPO, file)}:${index + 1}`] : []));
}

/** Every Markdown file a user reads: READMEs, PROTOCOL.md and docs/. */
export function docFiles(): string[] {
  const files = [join(REPO, "README.md")];
  for (const folder of ["packages", "examples"]) {
    for (const name of readdirSync(join(REPO, folder)).sort()) {
      for (const doc of ["README.md", "PROTOCOL.md"]) {
        const path = join(REPO, folder, name, doc);
        if (existsSync(path)) files.push(path);
      }
    }
  }
  const docs = join(REPO, "docs");
  for (const name of readdirSync(docs).sort()) if (name.endsWith(".md")) files.push(join(docs, name));
  return files;
}
