import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { crc32c } from "@aws-crypto/crc32c";
import { RunlogError } from "@runlog/core";

/**
 * TFRecord framing of TensorBoard event files: [u64 length][u32 masked CRC-32C of the length]
 * [data][u32 masked CRC-32C of the data], little-endian. CRC-32C comes from AWS's crc32c package.
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
 * Reads a TFRecord file record by record through a 1 MiB window (constant memory). A record cut
 * short at the end of the file (a writer still writing, or killed) ends it quietly, as TensorBoard
 * does; a checksum mismatch before the end throws SOURCE_CORRUPT with the file and byte offset.
 */
export function* readTfRecords(file: string): Generator<TfRecord> {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(12);
    let offset = 0;
    while (offset + 12 <= size) {
      readSync(fd, head, 0, 12, offset);
      const length = Number(head.readBigUInt64LE(0));
      if (maskedCrc32c(head.subarray(0, 8)) !== head.readUInt32LE(8)) {
        throw corrupt(file, offset, "a record's length checksum does not match");
      }
      if (length > MAX_RECORD_BYTES) throw corrupt(file, offset, `a record claims ${length} bytes`);
      if (offset + 12 + length + 4 > size) return; // torn at the end
      const bytes = Buffer.allocUnsafe(length + 4);
      for (let done = 0; done < bytes.length; )
        done += readSync(fd, bytes, done, Math.min(READ_CHUNK, bytes.length - done), offset + 12 + done);
      const data = bytes.subarray(0, length);
      if (maskedCrc32c(data) !== bytes.readUInt32LE(length)) throw corrupt(file, offset, "a record's data checksum does not match");
      yield { offset, bytes: data };
      offset += 12 + length + 4;
    }
  } finally {
    closeSync(fd);
  }
}
