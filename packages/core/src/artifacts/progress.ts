// A leaf module: both the Artifact (download) and the services that fill it (log, download) report progress.

/** Progress of a long artifact operation, for progress bars. */
export interface ArtifactProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  /** Bytes read so far, counting the part of a large file already streamed. */
  readonly bytesDone: number;
  /** All the bytes to do, when known (then a bar can move during one large file). */
  readonly bytesTotal?: number;
}

/** Between two reports while a file streams: whichever comes first. */
const REPORT_BYTES = 4 * 2 ** 20;
const REPORT_MS = 100;

/**
 * Counts files and bytes for `onProgress`: every finished file is reported; the chunks of a file
 * being streamed are reported at most every 4 MiB or 100 ms, so a copy is not slowed by its listener.
 */
export function progressCounter(filesTotal: number, bytesTotal: number, onProgress?: (progress: ArtifactProgress) => void) {
  let filesDone = 0;
  let bytesDone = 0;
  let unreported = 0;
  let lastReport = Date.now();
  const report = () => {
    unreported = 0;
    lastReport = Date.now();
    onProgress?.({ filesDone, filesTotal, bytesDone, bytesTotal });
  };
  return {
    /** A listener for one file's chunks; call `fileDone` with its size once the file is finished. */
    file() {
      let streamed = 0;
      return {
        onBytes: (bytes: number) => {
          if (onProgress === undefined) return;
          streamed += bytes;
          bytesDone += bytes;
          unreported += bytes;
          if (unreported >= REPORT_BYTES || Date.now() - lastReport >= REPORT_MS) report();
        },
        fileDone: (size: number) => {
          bytesDone += size - streamed;
          filesDone += 1;
          report();
        },
      };
    },
  };
}
