/** The last of `steps` (ascending) at or before `step`, as an index; -1 when every one is after it. */
export function atOrBefore(steps: readonly number[], step: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((steps[mid] as number) <= step) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Every step any of the runs logged at, ascending, once each: the positions of a shared step slider. */
export function unionSteps(perRun: Iterable<readonly number[]>): number[] {
  const all = new Set<number>();
  for (const steps of perRun) for (const step of steps) if (Number.isFinite(step)) all.add(step);
  return [...all].sort((a, b) => a - b);
}
