import { crc32 } from "node:zlib";
import { RunlogError } from "../errors.js";
import { decodeJson, encodeJson } from "../util/json.js";
import { type DecodedRecord, KIND_NAMES, RECORD_KIND, type RecordKindName, type ScalarColumn } from "./records.js";

/**
 * One record on disk: [u32 payload length][u32 CRC32 of payload][payload], where
 * payload = [u8 kind][u32 header length][header JSON][binary body]. All little-endian.
 * A torn or corrupt frame at the end of a log is detected by length or CRC.
 */
export const FRAME_OVERHEAD = 8;
const PAYLOAD_PREFIX = 5;
/** Refuse absurd lengths when reading, so a corrupt length cannot allocate gigabytes. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export function encodeFrame(kind: RecordKindName, header: object, body?: readonly Float64Array[]): Buffer {
  const headerBytes = Buffer.from(encodeJson(header), "utf8");
  let bodyBytes = 0;
  for (const part of body ?? []) bodyBytes += part.byteLength;
  const payloadLength = PAYLOAD_PREFIX + headerBytes.length + bodyBytes;
  const frame = Buffer.allocUnsafe(FRAME_OVERHEAD + payloadLength);
  frame.writeUInt32LE(payloadLength, 0);
  frame.writeUInt8(RECORD_KIND[kind], 8);
  frame.writeUInt32LE(headerBytes.length, 9);
  headerBytes.copy(frame, 13);
  let offset = 13 + headerBytes.length;
  for (const part of body ?? []) {
    frame.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), offset);
    offset += part.byteLength;
  }
  frame.writeUInt32LE(crc32(frame.subarray(FRAME_OVERHEAD)), 4);
  return frame;
}

export interface FrameScan {
  readonly records: DecodedRecord[];
  /** Bytes of `buffer` consumed by complete, valid frames. */
  readonly consumed: number;
  /** Why scanning stopped early, if it did (a torn or corrupt frame). */
  readonly stoppedBy?: "corrupt" | "incomplete";
}

/** Decodes every complete frame in `buffer`. */
export function scanFrames(buffer: Uint8Array): FrameScan {
  const view = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const records: DecodedRecord[] = [];
  let offset = 0;
  while (offset < view.length) {
    if (view.length - offset < FRAME_OVERHEAD) return { records, consumed: offset, stoppedBy: "incomplete" };
    const length = view.readUInt32LE(offset);
    if (length < PAYLOAD_PREFIX || length > MAX_FRAME_BYTES) return { records, consumed: offset, stoppedBy: "corrupt" };
    if (view.length - offset - FRAME_OVERHEAD < length) return { records, consumed: offset, stoppedBy: "incomplete" };
    const payload = view.subarray(offset + FRAME_OVERHEAD, offset + FRAME_OVERHEAD + length);
    if (crc32(payload) !== view.readUInt32LE(offset + 4)) return { records, consumed: offset, stoppedBy: "corrupt" };
    records.push(decodePayload(payload));
    offset += FRAME_OVERHEAD + length;
  }
  return { records, consumed: offset };
}

function decodePayload(payload: Buffer): DecodedRecord {
  const kind = KIND_NAMES[payload.readUInt8(0)];
  const headerLength = payload.readUInt32LE(1);
  if (kind === undefined || PAYLOAD_PREFIX + headerLength > payload.length) {
    throw new RunlogError("LOG_CORRUPT", "A transaction-log frame has a valid checksum but an unknown layout; the log was written by a newer runlog.");
  }
  const header = decodeJson<Record<string, unknown>>(payload.toString("utf8", PAYLOAD_PREFIX, PAYLOAD_PREFIX + headerLength));
  if (kind !== "history") return { kind, header } as unknown as DecodedRecord;
  const keys = header.keys as string[];
  const counts = header.counts as number[];
  // Copy the body once into an aligned buffer, then view columns without copying again.
  const bodyStart = PAYLOAD_PREFIX + headerLength;
  const body = new Float64Array((payload.length - bodyStart) / 8);
  new Uint8Array(body.buffer).set(payload.subarray(bodyStart));
  const columns: ScalarColumn[] = [];
  let at = 0;
  keys.forEach((key, i) => {
    const count = counts[i] ?? 0;
    columns.push({ key, steps: body.subarray(at, at + count), values: body.subarray(at + count, at + 2 * count) });
    at += 2 * count;
  });
  return { kind, header, columns } as unknown as DecodedRecord;
}
