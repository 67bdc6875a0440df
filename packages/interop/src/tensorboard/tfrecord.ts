import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { RunlogError } from "@runlog/core";
import { crc32c } from "./crc32c.js";

/**
 * TFRecord framing of TensorBoard event files: [u64 length][u32 masked CRC-32C of the length]
 * [data][u32 masked CRC-32C of the data], little-endian.
 */
const MASK_DELTA = 0xa282ead8;
const READ_CHUNK = 1 << 20;
/** A corrupt length must not allocate gigabytes: TensorBoard's own events stay far below this. */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

export interface TfRecord {
  readonly offset: number;
  readonly bytes: Buffer;
}

function corrupt(file: string, offset: number, why: string): RunlogError {
  return new RunlogError(
    "SOURCE_CORRUPT",
    `${file} is damaged at byte ${offset}: ${why}. Every event before that offset was imported; the rest of the file cannot be read.`,
    { details: { file, offset } },
  );
}

/**
 * Reads a TFRecord file record by record through a 1 MiB window (constant memory; one read per
 * window, not two per record). A record cut short at the end of the file (a writer still writing,
 * or killed) ends it quietly, as TensorBoard does; a checksum mismatch before the end throws
 * SOURCE_CORRUPT with the file and byte offset. Each record's bytes are its own copy.
 */
export function* readTfRecords(file: string): Generator<TfRecord> {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    let window = Buffer.allocUnsafe(READ_CHUNK);
    /** File offset of window[0], and how many bytes of the window are read. */
    let windowStart = 0;
    let filled = 0;
    /** Makes bytes [at, at + count) of the file readable in the window (the caller checked they exist). */
    const need = (at: number, count: number): void => {
      if (at + count <= windowStart + filled) return;
      const keep = windowStart + filled - at;
      const capacity = Math.max(count, READ_CHUNK); // a big record widens the window for itself only
      if (capacity !== window.length) {
        const next = Buffer.allocUnsafe(capacity);
        window.copy(next, 0, at - windowStart, at - windowStart + keep);
        window = next;
      } else window.copy(window, 0, at - windowStart, at - windowStart + keep);
      windowStart = at;
      filled = keep;
      while (filled < Math.min(window.length, size - at)) {
        const read = readSync(fd, window, filled, Math.min(window.length, size - at) - filled, at + filled);
        if (read === 0) break;
        filled += read;
      }
    };
    let offset = 0;
    while (offset + 12 <= size) {
      need(offset, 12);
      const head = offset - windowStart;
      const length = Number(window.readBigUInt64LE(head));
      if (maskedCrc32c(window.subarray(head, head + 8)) !== window.readUInt32LE(head + 8)) {
        throw corrupt(file, offset, "a record's length checksum does not match");
      }
      if (length > MAX_RECORD_BYTES) throw corrupt(file, offset, `a record claims ${length} bytes`);
      if (offset + 12 + length + 4 > size) return; // torn at the end
      need(offset, 12 + length + 4);
      const at = offset + 12 - windowStart;
      const data = window.subarray(at, at + length);
      if (maskedCrc32c(data) !== window.readUInt32LE(at + length)) throw corrupt(file, offset, "a record's data checksum does not match");
      yield { offset, bytes: Buffer.from(data) };
      offset += 12 + length + 4;
    }
  } finally {
    closeSync(fd);
  }
}
