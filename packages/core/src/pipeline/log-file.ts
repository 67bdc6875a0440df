import { closeSync, constants, fstatSync, fsync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";

/**
 * The file operations the transaction log writes through. Production uses the node:fs layer;
 * fault-injection tests swap in one that fails (ENOSPC, EIO) or "loses power" at chosen points.
 * Every method may throw the raw system error: the writer above turns failures into state.
 */
export interface LogFile {
  /** The file's size when it was opened. */
  readonly initialSize: number;
  /** Writes all of `bytes` at `position`; on error part of them may have been written. */
  writeAt(bytes: Uint8Array, position: number): void;
  readAt(into: Buffer, offset: number, length: number, position: number): number;
  truncate(length: number): void;
  sync(): void;
  /** fsync off the calling thread; `done` gets the error, if any. */
  syncInBackground(done: (error: Error | null) => void): void;
  close(): void;
}

export interface FileLayer {
  open(path: string): LogFile;
}

/** Opens for positioned writes (not O_APPEND), so a failed write's partial bytes are overwritten by the retry. */
export const nodeFileLayer: FileLayer = {
  open(path: string): LogFile {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    return {
      initialSize: fstatSync(fd).size,
      writeAt(bytes, position) {
        let written = 0;
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, position + written);
      },
      readAt: (into, offset, length, position) => readSync(fd, into, offset, length, position),
      truncate: (length) => ftruncateSync(fd, length),
      sync: () => fsyncSync(fd),
      syncInBackground: (done) => fsync(fd, (error) => done(error)),
      close: () => closeSync(fd),
    };
  },
};
