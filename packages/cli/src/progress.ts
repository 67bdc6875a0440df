/** A progress line (files, bytes, rate) on stderr, shown only once an operation passes one second. */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastDraw = 0;
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
    const line = `${label} ${bar} ${filesDone}/${filesTotal} files  ${mb.toFixed(1)} MB  ${(mb / elapsed).toFixed(1)} MB/s`;
    stream.write(stream.isTTY ? `\r${line}` : `${line}\n`);
  };
  return {
    update: (p: { filesDone: number; filesTotal: number; bytesDone: number }) => draw(p.filesDone, p.filesTotal, p.bytesDone, false),
    done: (p: { filesDone: number; filesTotal: number; bytesDone: number }) => {
      if (Date.now() - started >= 1000) draw(p.filesDone, p.filesTotal, p.bytesDone, true);
      if (shown && stream.isTTY) stream.write("\n");
    },
  };
}
