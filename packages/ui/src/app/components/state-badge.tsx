import { formatDuration } from "../../lib/format.ts";
import type { RunView } from "../api.ts";

/** The run state; running and crashed runs also say after how long a silent run counts as crashed. */
export function StateBadge({ run }: { run: Pick<RunView, "state" | "crashTimeout" | "exitCode"> }) {
  const timeout = formatDuration(run.crashTimeout);
  const title =
    run.state === "running"
      ? `Marked crashed after ${timeout} without a heartbeat`
      : run.state === "crashed"
        ? `No heartbeat for more than ${timeout}`
        : run.exitCode === undefined
          ? ""
          : `exit code ${run.exitCode}`;
  return (
    <span class={`state state-${run.state}`} title={title}>
      {run.state}
      {run.state === "crashed" && <small> (silent &gt; {timeout})</small>}
    </span>
  );
}
