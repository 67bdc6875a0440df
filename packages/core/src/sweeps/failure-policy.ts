import { RunlogError } from "../errors.js";

/**
 * W&B's agent gives up on a broken program: after `maxInitial` failed trials in a row from the
 * start (WANDB_AGENT_MAX_INITIAL_FAILURES, default 5), or 3 failures within 60 seconds.
 */
export class FailurePolicy {
  private readonly failures: number[] = [];
  private succeeded = false;

  constructor(
    private readonly maxInitial = initialLimit(),
    private readonly now: () => number = Date.now,
  ) {}

  record(ok: boolean): void {
    if (ok) {
      this.succeeded = true;
      return;
    }
    this.failures.push(this.now());
    if (!this.succeeded && this.failures.length >= this.maxInitial) {
      throw new RunlogError(
        "AGENT_FAILED",
        `The first ${this.failures.length} trials all failed; the agent stops. Fix the program (its output is above), then start the agent again.`,
      );
    }
    const recent = this.failures.filter((at) => this.now() - at <= 60_000);
    if (this.succeeded && recent.length >= 3) {
      throw new RunlogError(
        "AGENT_FAILED",
        "3 trials failed within 60 seconds; the agent stops. Fix the program (its output is above), then start the agent again.",
      );
    }
  }
}

function initialLimit(): number {
  const raw = process.env.RUNLOG_AGENT_MAX_INITIAL_FAILURES || process.env.WANDB_AGENT_MAX_INITIAL_FAILURES;
  const value = raw === undefined ? 5 : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new RunlogError("INVALID_ARGUMENT", `RUNLOG_AGENT_MAX_INITIAL_FAILURES must be a whole number ≥ 1, not ${JSON.stringify(raw)}.`);
  }
  return value;
}
