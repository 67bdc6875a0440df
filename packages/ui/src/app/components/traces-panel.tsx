import { useEffect, useMemo, useState } from "preact/hooks";
import { formatNumber, formatTime } from "../../lib/format.ts";
import { getJson, type RunView, runPath } from "../api.ts";
import { ErrorBox, useAsync } from "../use-async.tsx";

export interface Span {
  id: string;
  parentId?: string;
  traceId: string;
  kind: string;
  name: string;
  inputs: unknown;
  outputs: unknown;
  startTime: number;
  endTime?: number;
  status: "ok" | "error" | "incomplete";
  error?: { message: string; stack?: string };
  tokens?: { input: number; output: number; total: number; details?: Record<string, number> };
  ttftMs?: number;
  invocationParams?: Record<string, unknown>;
  metadata: Record<string, unknown>;
  tags: string[];
  events: { name: string; time: number }[];
  children: Span[];
}

function flatten(span: Span, depth = 0): { span: Span; depth: number }[] {
  return [{ span, depth }, ...span.children.flatMap((child) => flatten(child, depth + 1))];
}

function totals(root: Span) {
  const spans = flatten(root).map((entry) => entry.span);
  return {
    spans: spans.length,
    tokens: spans.reduce((sum, span) => sum + (span.tokens?.total ?? 0), 0),
    errors: spans.filter((span) => span.status === "error").length,
  };
}

const latency = (span: Span) => (span.endTime === undefined ? undefined : span.endTime - span.startTime);
const json = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value, null, 2));

/** The run's LangChain traces: a searchable table, then one trace as a tree with a waterfall and each span's details. */
export function TracesPanel({ run }: { run: RunView }) {
  const [refresh, setRefresh] = useState(0);
  const { data, error } = useAsync(() => getJson<Span[]>(`${runPath(run)}/traces`), [run.id, refresh]);
  const [needle, setNeedle] = useState("");
  const [selected, setSelected] = useState<string | undefined>();
  useEffect(() => {
    if (run.state !== "running") return;
    const timer = setInterval(() => setRefresh((n) => n + 1), 3000);
    return () => clearInterval(timer);
  }, [run.state]);
  const shown = useMemo(() => {
    const lower = needle.toLowerCase();
    return (data ?? []).filter(
      (trace) => !lower || `${trace.name} ${trace.status} ${JSON.stringify(trace.inputs)}`.toLowerCase().includes(lower),
    );
  }, [data, needle]);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <p class="muted">Loading traces…</p>;
  if (data.length === 0)
    return <p class="muted">No traces. Pass a RunlogTracer from @runlog/langchain in callbacks (or set RUNLOG_LANGCHAIN_TRACING=true).</p>;
  const trace = data.find((t) => t.id === selected);
  return (
    <div class="traces">
      <input
        type="search"
        placeholder="Search traces (name, status, inputs)"
        value={needle}
        onInput={(e) => setNeedle(e.currentTarget.value)}
        aria-label="search traces"
      />
      <table class="grid" data-testid="traces-table">
        <thead>
          <tr>
            <th>trace</th>
            <th>status</th>
            <th>latency (ms)</th>
            <th>tokens</th>
            <th>spans</th>
            <th>errors</th>
            <th>started</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((t) => {
            const sums = totals(t);
            return (
              <tr key={t.id} class={t.id === selected ? "selected" : ""} onClick={() => setSelected(t.id)} data-trace-id={t.id}>
                <td>
                  <button type="button" class="link">
                    {t.name}
                  </button>
                </td>
                <td class={`status-${t.status}`}>{t.status}</td>
                <td class="num">{latency(t) === undefined ? "" : formatNumber(latency(t) as number)}</td>
                <td class="num">{sums.tokens || ""}</td>
                <td class="num">{sums.spans}</td>
                <td class="num">{sums.errors || ""}</td>
                <td>{formatTime(t.startTime / 1000)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {trace && <TraceView trace={trace} />}
    </div>
  );
}

function TraceView({ trace }: { trace: Span }) {
  const rows = flatten(trace);
  const [selected, setSelected] = useState(trace.id);
  const start = trace.startTime;
  const end = Math.max(...rows.map(({ span }) => span.endTime ?? span.startTime), start + 1);
  const span = rows.find((row) => row.span.id === selected)?.span ?? trace;
  return (
    <div class="trace-view" data-testid="trace-view">
      <div class="waterfall">
        {rows.map(({ span: s, depth }) => {
          const left = ((s.startTime - start) / (end - start)) * 100;
          const width = Math.max(0.5, (((s.endTime ?? end) - s.startTime) / (end - start)) * 100);
          return (
            <button
              type="button"
              key={s.id}
              class={`wf-row${s.id === selected ? " selected" : ""}`}
              onClick={() => setSelected(s.id)}
              data-span-kind={s.kind}
            >
              <span class="wf-label" style={{ paddingLeft: `${depth * 14}px` }}>
                <span class={`kind kind-${s.kind}`}>{s.kind}</span> {s.name}
              </span>
              <span class="wf-track">
                <span class={`wf-bar status-${s.status}`} style={{ left: `${left}%`, width: `${width}%` }} />
              </span>
              <span class="wf-ms">{latency(s) === undefined ? "…" : `${formatNumber(latency(s) as number)} ms`}</span>
            </button>
          );
        })}
      </div>
      <div class="span-detail" data-testid="span-detail">
        <h3>
          {span.kind}: {span.name} <span class={`status-${span.status}`}>{span.status}</span>
        </h3>
        <p class="muted">
          {latency(span) === undefined ? "not ended" : `${formatNumber(latency(span) as number)} ms`}
          {span.ttftMs !== undefined && ` · first token after ${formatNumber(span.ttftMs)} ms`}
          {span.tokens && ` · tokens ${span.tokens.input} in / ${span.tokens.output} out / ${span.tokens.total} total`}
          {span.tags.length > 0 && ` · tags ${span.tags.join(", ")}`}
        </p>
        {span.error && (
          <>
            <h4>Error</h4>
            <pre class="error">{span.error.message}</pre>
            {span.error.stack && <pre class="stack">{span.error.stack}</pre>}
          </>
        )}
        <h4>Inputs</h4>
        <pre data-testid="span-inputs">{json(span.inputs)}</pre>
        {!span.error && (
          <>
            <h4>Outputs</h4>
            <pre>{json(span.outputs)}</pre>
          </>
        )}
        {span.invocationParams && (
          <>
            <h4>Invocation params</h4>
            <pre>{json(span.invocationParams)}</pre>
          </>
        )}
        {Object.keys(span.metadata).length > 0 && (
          <>
            <h4>Metadata</h4>
            <pre>{json(span.metadata)}</pre>
          </>
        )}
        {span.events.length > 0 && (
          <>
            <h4>Events</h4>
            <pre>{json(span.events)}</pre>
          </>
        )}
      </div>
    </div>
  );
}
