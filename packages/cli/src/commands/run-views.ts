import type { ApiRun } from "@runlog/core";

// What `runlog runs ls` and `runlog runs show` print for people (`--json` is for machines).

const BARS = "▁▂▃▄▅▆▇█";

/** A number as a person reads it: integers whole, others with 4 significant digits. */
export function formatValue(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  if (typeof value === "string") return value.length > 60 ? `${value.slice(0, 59)}…` : value;
  if (typeof value === "bigint") return String(value);
  if (value !== null && typeof value === "object" && "_type" in value) return `<${String((value as { _type: unknown })._type)}>`;
  // Config and summary keep big integers exactly: show their digits (JSON.stringify throws on them).
  const text = JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? String(inner) : inner)) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** A sparkline of a series' bucket means (min/max midpoints), `width` characters. */
export function sparkline(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return "";
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return values
    .map((v) => (Number.isFinite(v) ? (BARS[hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))] ?? "") : " "))
    .join("");
}

const userKeys = (record: Record<string, unknown>) => Object.keys(record).filter((key) => !key.startsWith("_"));

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

/** `runs ls`: a header, then one row per run with its summary's first scalar keys. */
export function runsTable(runs: readonly ApiRun[]): string[] {
  const rows = [["ID", "NAME", "STATE", "RUNTIME", "CREATED", "SUMMARY"]];
  for (const run of runs) {
    const summary = userKeys(run.summary)
      .filter((key) => !key.startsWith("system/"))
      .slice(0, 4)
      .map((key) => `${key}=${formatValue(run.summary[key])}`)
      .join(" ");
    rows.push([
      run.id,
      run.name,
      run.state,
      `${run.runtime.toFixed(1)} s`,
      new Date(run.createdAt * 1000).toISOString().replace("T", " ").slice(0, 19),
      summary,
    ]);
  }
  return table(rows);
}

/** `runs show`: a readable page — who and when, config, summary, metrics with sparklines, alerts, artifacts. */
export async function runPage(run: ApiRun): Promise<string[]> {
  const lines = [`${run.path}  "${run.name}"  ${run.state}${run.exitCode === undefined ? "" : ` (exit ${run.exitCode})`}`];
  lines.push(
    `created ${new Date(run.createdAt * 1000).toISOString()}, runtime ${run.runtime.toFixed(1)} s, ${run.lastStep + 1} steps${
      run.tags.length > 0 ? `, tags ${run.tags.join(", ")}` : ""
    }${run.group ? `, group ${run.group}` : ""}${run.jobType ? `, job ${run.jobType}` : ""}`,
  );
  if (run.notes) lines.push(`notes: ${formatValue(run.notes)}`);
  const section = (title: string, record: Record<string, unknown>) => {
    const keys = userKeys(record);
    if (keys.length === 0) return;
    lines.push("", `${title}:`);
    for (const row of table(keys.slice(0, 40).map((key) => [`  ${key}`, formatValue(record[key])]))) lines.push(row);
    if (keys.length > 40) lines.push(`  … ${keys.length - 40} more (--json shows all)`);
  };
  section("config", run.config);
  section("summary", run.summary);
  const keys = (await run.historyKeys()).filter((key) => !key.startsWith("_"));
  if (keys.length > 0) {
    lines.push("", `metrics (${keys.length}):`);
    const rows: string[][] = [];
    for (const key of keys.slice(0, 12)) {
      const series = await run.series(key, { buckets: 24 });
      const last = series.last[series.last.length - 1];
      const means = series.min.map((min, i) => (min + (series.max[i] ?? min)) / 2);
      rows.push([`  ${key}`, sparkline(means), last === undefined ? "" : `last ${formatValue(last)}`]);
    }
    lines.push(...table(rows));
    if (keys.length > 12) lines.push(`  … ${keys.length - 12} more keys`);
  }
  const alerts = await run.alerts();
  if (alerts.length > 0) {
    lines.push("", `alerts (${alerts.length}):`);
    for (const alert of alerts.slice(-5)) lines.push(`  ${alert.level} ${alert.title}: ${formatValue(alert.text)}`);
  }
  const logged = (await run.loggedArtifacts()).map((a) => a.qualifiedName);
  const used = (await run.usedArtifacts()).map((a) => a.qualifiedName);
  if (logged.length + used.length > 0)
    lines.push("", `artifacts: logged ${logged.join(", ") || "none"}; used ${used.join(", ") || "none"}`);
  return lines;
}
