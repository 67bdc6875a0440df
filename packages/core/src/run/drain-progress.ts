/** Where the drain line goes: stderr, or a stand-in with the same two members. */
export type ProgressStream = Pick<NodeJS.WriteStream, "write" | "isTTY">;

/**
 * finish()'s "waiting for the store" progress: what is left, the rate it drains at and the time
 * left. On a TTY one line redrawn in place (ended by `done`); otherwise a plain line at most every
 * `plainEveryMs`, so logs and CI output do not fill up.
 */
export function drainProgress(stream: ProgressStream = process.stderr, plainEveryMs = 5_000, now: () => number = Date.now) {
  const started = now();
  let first: { at: number; pending: number } | undefined;
  let lastPlain = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    /** Called with the points still pending (the pipeline calls it every 2 s while it drains). */
    update(pending: number): void {
      const at = now();
      first ??= { at, pending };
      const seconds = (at - first.at) / 1000;
      const rate = seconds > 0 ? Math.max(0, first.pending - pending) / seconds : undefined;
      const left = rate ? ` · about ${formatSeconds(pending / rate)} left` : "";
      const line = `runlog: waiting for the store: ${pending.toLocaleString("en-US")} points left${
        rate === undefined ? "" : ` · ${Math.round(rate).toLocaleString("en-US")} points/s`
      }${left} (${formatSeconds((at - started) / 1000)})`;
      if (stream.isTTY) {
        stream.write(`\r${line}\x1b[K`);
        drawn = true;
      } else if (at - lastPlain >= plainEveryMs) {
        lastPlain = at;
        stream.write(`${line}\n`);
      }
    },
    /** Ends the redrawn line, so what is printed next starts on its own line. */
    done(): void {
      if (drawn) stream.write("\n");
      drawn = false;
    },
  };
}

function formatSeconds(seconds: number): string {
  return seconds < 60 ? `${Math.ceil(seconds)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
