// A leaf module: both the Artifact (download) and the services that fill it (log, download) report progress.

/** Progress of a long artifact operation, for progress bars. */
export interface ArtifactProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
}
