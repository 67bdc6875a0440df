import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { crc32 } from "node:zlib";
import { RunlogError } from "@runlog/core";

/**
 * W&B's `.wandb` transaction log: a 7-byte header (`:W&B`, magic 0xBEE1 little-endian, version 0),
 * then LevelDB's log format: 32 KiB blocks of chunks, each [u32 CRC-32 of type+data][u16 length]
 * [u8 type] data, type FULL/FIRST/MIDDLE/LAST; a block tail under 7 bytes is zero padding.
 * The checksum is plain CRC-32 (zlib's), not LevelDB's masked CRC-32C.
 *
 * Hand-written because no npm package reads this framing; it is 60 lines over node:zlib's crc32.
 */
const HEADER = Buffer.from([0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 0x00]);
const BLOCK = 32 * 1024;
const CHUNK_HEADER = 7;
const FULL = 1;
const FIRST = 2;
const MIDDLE = 3;
const LAST = 4;

export interface LogRecord {
  /** Byte offset of the record's first chunk. */
  readonly offset: number;
  readonly bytes: Buffer;
}

export function isWandbLog(head: Buffer): boolean {
  return head.length >= 4 && head.subarray(0, 4).equals(HEADER.subarray(0, 4));
}

function corrupt(file: string, offset: number, why: string): RunlogError {
  return new RunlogError(
    "SOURCE_CORRUPT",
    `${file} is damaged at byte ${offset}: ${why}. Every record before that offset was imported; the rest of the file cannot be read.`,
    { details: { file, offset } },
  );
}

/**
 * Reads the records of a `.wandb` file one 32 KiB block at a time (constant memory, whatever the
 * file's size). A torn last record (a run still writing, or killed) ends the file quietly, as W&B's
 * own reader does; damage before the end throws SOURCE_CORRUPT with the file and byte offset.
 */
export function* readWandbLog(file: string): Generator<LogRecord> {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(HEADER.length);
    readSync(fd, head, 0, HEADER.length, 0);
    if (!isWandbLog(head) || size < HEADER.length) throw corrupt(file, 0, "it does not start with the `:W&B` header of a .wandb log");
    if (head[6] !== 0) throw corrupt(file, 6, `log version ${head[6]} is not the supported version 0`);
    const block = Buffer.alloc(BLOCK);
    let parts: Buffer[] = [];
    let recordStart = -1;
    for (let blockStart = 0; blockStart < size; blockStart += BLOCK) {
      const length = readSync(fd, block, 0, Math.min(BLOCK, size - blockStart), blockStart);
      let at = blockStart === 0 ? HEADER.length : 0;
      while (at + CHUNK_HEADER <= length) {
        const checksum = block.readUInt32LE(at);
        const dataLength = block.readUInt16LE(at + 4);
        const type = block[at + 6] as number;
        const offset = blockStart + at;
        if (type === 0 && dataLength === 0 && checksum === 0) break; // zero padding: rest of the block is empty
        if (at + CHUNK_HEADER + dataLength > length) {
          if (blockStart + length >= size) return; // torn at the end of the file
          throw corrupt(file, offset, "a chunk is longer than its block");
        }
        const data = block.subarray(at + CHUNK_HEADER, at + CHUNK_HEADER + dataLength);
        if (crc32(data, crc32(block.subarray(at + 6, at + 7))) !== checksum) {
          if (offset + CHUNK_HEADER + dataLength >= size) return; // torn at the end of the file
          throw corrupt(file, offset, "a chunk's CRC-32 does not match");
        }
        at += CHUNK_HEADER + dataLength;
        if (type === FULL || type === FIRST) {
          if (parts.length > 0) throw corrupt(file, offset, "a record starts before the previous one ended");
          recordStart = offset;
        } else if ((type === MIDDLE || type === LAST) && parts.length === 0) {
          throw corrupt(file, offset, "a record continues that never started");
        } else if (type > LAST) {
          throw corrupt(file, offset, `unknown chunk type ${type}`);
        }
        parts.push(Buffer.from(data));
        if (type === FULL || type === LAST) {
          yield { offset: recordStart, bytes: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts) };
          parts = [];
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}
