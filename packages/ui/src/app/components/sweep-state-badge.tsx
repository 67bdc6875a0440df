import type { SweepState } from "../../lib/sweeps.ts";

/** A sweep's state in the run states' colours (running, finished; paused and stopped as warnings). */
export function SweepStateBadge({ state }: { state: SweepState }) {
  return (
    <span class={`state sweep-state-${state}`} data-testid="sweep-state" data-state={state}>
      {state}
    </span>
  );
}
