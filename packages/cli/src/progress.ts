/** What an operation has done; `bytesTotal` when the bytes to do are known. */
export interface Progress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal?: number;
}

/**
 * A progress line (files, bytes, rate, time left) on stderr, shown only once an operation passes one
 * second: one line redrawn in place on a TTY, a plain line every 5 s otherwise (logs, CI).
 */
export function progressReporter(
  label: string,
  stream: Pick<NodeJS.WriteStream, "write" | "isTTY"> = process.stderr,
  /** What is counted ("runs" for sync, "rows" for an import); the rate is in bytes once bytes are reported, else in this unit. */
  unit = "files",
) {
  const started = Date.now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let shown = false;
  const draw = (filesDone: number, filesTotal: number, bytesDone: number, bytesTotal: number, final: boolean) => {
    const now = Date.now();
    const elapsed = (now - started) / 1000;
    if (elapsed < 1 || (!final && now - lastDraw < (stream.isTTY ? 100 : 5_000))) return;
    lastDraw = now;
    shown = true;
    const width = 24;
    // With the bytes to do known (an import reads one file's bytes), the bar and the time left go by
    // bytes, so a single large file moves too; otherwise by what is counted.
    const [done, total] = bytesTotal > 0 ? [Math.min(bytesDone, bytesTotal), bytesTotal] : [filesDone, filesTotal];
    const filled = total === 0 ? width : Math.round((width * done) / total);
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    const mb = bytesDone / 2 ** 20;
    const left = done > 0 && done < total ? (elapsed * (total - done)) / done : undefined;
    const eta =
      left === undefined ? "" : `  ETA ${left < 60 ? `${Math.ceil(left)} s` : `${Math.floor(left / 60)} min ${Math.ceil(left % 60)} s`}`;
    // The rate: bytes once bytes are reported, else the counted unit's own (sync's runs/s).
    const rate =
      unit === "files" || bytesDone > 0
        ? `  ${mb.toFixed(1)} MB  ${(mb / elapsed).toFixed(1)} MB/s`
        : `  ${(filesDone / elapsed).toFixed(1)} ${unit}/s`;
    const line = `${label} ${bar} ${filesDone}/${filesTotal} ${unit}${rate}${eta}`;
    stream.write(stream.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  };
  return {
    /** Clears the redrawn line (TTY) so a line printed now stands alone; the next update draws it again. */
    clear: () => {
      if (shown && stream.isTTY) stream.write("\r\x1b[K");
    },
    update: (p: Progress) => draw(p.filesDone, p.filesTotal, p.bytesDone, p.bytesTotal ?? 0, false),
    done: (p: Progress) => {
      if (Date.now() - started >= 1000) draw(p.filesDone, p.filesTotal, p.bytesDone, p.bytesTotal ?? 0, true);
      if (shown && stream.isTTY) stream.write("\n");
    },
  };
}
