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
  const draw = (filesDone: number, filesTotal: number, bytesDone: number, final: boolean) => {
    const now = Date.now();
    const elapsed = (now - started) / 1000;
    if (elapsed < 1 || (!final && now - lastDraw < (stream.isTTY ? 100 : 5_000))) return;
    lastDraw = now;
    shown = true;
    const width = 24;
    const filled = filesTotal === 0 ? width : Math.round((width * filesDone) / filesTotal);
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    const mb = bytesDone / 2 ** 20;
    const left = filesDone > 0 && filesDone < filesTotal ? (elapsed * (filesTotal - filesDone)) / filesDone : undefined;
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
    update: (p: { filesDone: number; filesTotal: number; bytesDone: number }) => draw(p.filesDone, p.filesTotal, p.bytesDone, false),
    done: (p: { filesDone: number; filesTotal: number; bytesDone: number }) => {
      if (Date.now() - started >= 1000) draw(p.filesDone, p.filesTotal, p.bytesDone, true);
      if (shown && stream.isTTY) stream.write("\n");
    },
  };
}
