import { resolve } from "node:path";
import { RunArtifacts } from "../artifacts/run-artifacts.js";
import { MetricRegistry } from "../metrics/metric-registry.js";
import { SummaryTracker } from "../metrics/summary-tracker.js";
import { Config, type ConfigState } from "./config.js";
import { Run, type RunParts } from "./run.js";
import { RunFiles } from "./run-files.js";
import type { Settings } from "./settings.js";
import { Summary } from "./summary.js";

/** mode "disabled": a Run that accepts every call and stores nothing (W&B's disabled run). */
export function disabledRun(
  id: string,
  entity: string,
  project: string,
  request: {
    name: string | undefined;
    notes: string | undefined;
    tags: readonly string[] | undefined;
    group: string | undefined;
    jobType: string | undefined;
  },
  settings: Settings,
  configState: ConfigState,
): Run {
  const metrics = new MetricRegistry();
  const tracker = new SummaryTracker((key) => metrics.resolve(key));
  const parts: RunParts = {
    id,
    entity,
    project,
    name: request.name ?? "disabled",
    notes: request.notes,
    tags: request.tags ?? Object.freeze([]),
    group: request.group,
    jobType: request.jobType,
    sweepId: undefined,
    startTime: Date.now() / 1000,
    settings,
    mode: "disabled",
    resumed: false,
    dir: resolve("runlog-disabled"),
    uiBaseUrl: undefined,
    config: new Config(configState),
    configState,
    summary: new Summary(tracker, () => {}),
    metrics,
    handler: undefined,
    pipeline: undefined,
    publishRunRecord: () => {},
    files: new RunFiles(
      "",
      "",
      () => {},
      () => {},
    ), // never called: save/restore are no-ops when disabled
    artifacts: new RunArtifacts(undefined, { id, entity, project, path: `${entity}/${project}/${id}` }, () => {}),
    shutdown: async () => {},
    warn: () => {},
  };
  return new Run(parts);
}
