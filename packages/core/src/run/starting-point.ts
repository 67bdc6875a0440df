import type { MetricRegistry } from "../metrics/metric-registry.js";
import type { SummaryTracker } from "../metrics/summary-tracker.js";
import type { StoredRunSnapshot } from "../pipeline/sink.js";
import type { ConfigState } from "./config.js";
import type { RunMoment } from "./init-request.js";

/** Where a new attempt starts, from what the store knows of the run (and of the run it forks). */
export interface StartingPoint {
  /** The first `_step` the attempt logs. */
  readonly firstStep: number;
  /** The attempt's number (0 for a new run): names its transaction log. */
  readonly attempt: number;
  /** Seconds of runtime earlier attempts already count (0 after a rewind). */
  readonly priorRuntime: number;
  /** The next record sequence number. */
  readonly firstSeq: number;
}

export function startingPoint(
  stored: StoredRunSnapshot | undefined,
  resumeFrom: RunMoment | undefined,
  forkFrom: RunMoment | undefined,
): StartingPoint {
  return {
    firstStep: resumeFrom ? resumeFrom.step + 1 : forkFrom ? forkFrom.step + 1 : stored ? stored.lastStep + 1 : 0,
    attempt: stored?.attempts ?? 0,
    priorRuntime: stored && !resumeFrom ? stored.runtime : 0,
    firstSeq: (stored?.appliedSeq ?? 0) + 1,
  };
}

export interface InheritedState {
  readonly metrics: MetricRegistry;
  readonly tracker: SummaryTracker;
  readonly configState: ConfigState;
}

/**
 * A resumed run continues its metrics, summary (not after a rewind) and config; a fork takes its
 * parent's metrics and config. Config given to `init` wins over what is stored, in both cases.
 */
export function inheritState(
  into: InheritedState,
  stored: StoredRunSnapshot | undefined,
  parent: StoredRunSnapshot | undefined,
  resumeFrom: RunMoment | undefined,
): void {
  const from = stored ?? parent;
  if (from === undefined) return;
  into.metrics.load(from.metrics);
  if (stored && resumeFrom === undefined) into.tracker.load(stored.summary);
  const given = into.configState.snapshot();
  into.configState.load(from.config);
  into.configState.update(given, { allowValChange: true });
}
