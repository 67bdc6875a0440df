import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, init, type Run, type Span } from "@runlog/core";
import { afterEach } from "vitest";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

/** A fresh run in a temp store (real SQLite). */
export async function newRun(name = "trace"): Promise<{ run: Run; root: string }> {
  const root = mkdtempSync(join(tmpdir(), "runlog-langchain-"));
  roots.push(root);
  const run = await init({
    dir: root,
    project: "llm",
    entity: "tester",
    name,
    reinit: "create_new",
    settings: { quiet: true, console: "off", disableStats: true },
  });
  return { run, root };
}

/** After finish: the run's trace trees, history rows and summary, read through the public Api. */
export async function readBack(root: string, run: Run) {
  const api = new Api({ dir: root });
  try {
    const stored = await api.run(run.path);
    const rows = [];
    for await (const row of stored.scanHistory()) rows.push(row);
    return { traces: await stored.traces(), rows, summary: stored.summary };
  } finally {
    api.close();
  }
}

/** A tree as [kind:name, children…] for exact shape assertions. */
export function shape(span: Span): unknown[] {
  return [`${span.kind}:${span.name}`, ...span.children.map(shape)];
}

export function allSpans(spans: readonly Span[]): Span[] {
  return spans.flatMap((span) => [span, ...allSpans(span.children)]);
}
