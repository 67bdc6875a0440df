import { crc32 } from "node:zlib";
import { RunlogError } from "../errors.js";
import { decodeJson, encodeJson } from "../util/json.js";
import { type DecodedRecord, KIND_NAMES, RECORD_KIND, type RecordKindName, type ScalarColumn, SHARED_STEPS_HISTORY } from "./records.js";

/**
 * One record on disk: [u32 payload length][u32 CRC32 of payload][payload], where
 * payload = [u8 kind][u32 header length][header JSON][binary body]. All little-endian.
 * A torn or corrupt frame at the end of a log is detected by length or CRC.
 * The header is padded with spaces so every frame is a multiple of 8 bytes: bodies of
 * Float64 columns then sit 8-byte aligned and are read in place, without a copy.
 */
export const FRAME_OVERHEAD = 8;
const PAYLOAD_PREFIX = 5;
/** Refuse absurd lengths when reading, so a corrupt length cannot allocate gigabytes. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export interface FramePart {
  readonly kind: RecordKindName;
  readonly header: object;
  readonly body?: readonly Float64Array[];
}

/** Encodes records into one buffer, allocated once (a seal's segment goes to disk and the worker as is). */
export function encodeFrames(parts: readonly FramePart[]): Buffer {
  const headers = parts.map((part) => {
    const json = encodeJson(part.header);
    const length = Buffer.byteLength(json, "utf8");
    const padding = (8 - ((FRAME_OVERHEAD + PAYLOAD_PREFIX + length) % 8)) % 8;
    let bodyBytes = 0;
    for (const column of part.body ?? []) bodyBytes += column.byteLength;
    return { json, headerLength: length + padding, payloadLength: PAYLOAD_PREFIX + length + padding + bodyBytes };
  });
  let total = 0;
  for (const h of headers) total += FRAME_OVERHEAD + h.payloadLength;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  parts.forEach((part, i) => {
    const { json, headerLength, payloadLength } = headers[i] as (typeof headers)[number];
    const start = at;
    out.writeUInt32LE(payloadLength, at);
    out.writeUInt8("stepsOf" in part.header ? SHARED_STEPS_HISTORY : RECORD_KIND[part.kind], at + 8);
    out.writeUInt32LE(headerLength, at + 9);
    const written = out.write(json, at + 13, "utf8");
    out.fill(0x20, at + 13 + written, at + 13 + headerLength);
    at += 13 + headerLength;
    for (const column of part.body ?? []) {
      out.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), at);
      at += column.byteLength;
    }
    out.writeUInt32LE(crc32(out.subarray(start + FRAME_OVERHEAD, at)), start + 4);
  });
  return out;
}

export interface FrameScan {
  readonly records: DecodedRecord[];
  /** Bytes of `buffer` consumed by complete, valid frames. */
  readonly consumed: number;
  /** Why scanning stopped early, if it did (a torn or corrupt frame). */
  readonly stoppedBy?: "corrupt" | "incomplete";
}

/**
 * Decodes every complete frame in `buffer`. `verify: false` skips the CRC check for bytes
 * that never left memory (the worker's deliveries); anything read from disk is verified.
 */
export function scanFrames(buffer: Uint8Array, options: { verify?: boolean } = {}): FrameScan {
  const verify = options.verify ?? true;
  const view = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const records: DecodedRecord[] = [];
  let offset = 0;
  while (offset < view.length) {
    if (view.length - offset < FRAME_OVERHEAD) return { records, consumed: offset, stoppedBy: "incomplete" };
    const length = view.readUInt32LE(offset);
    if (length < PAYLOAD_PREFIX || length > MAX_FRAME_BYTES) return { records, consumed: offset, stoppedBy: "corrupt" };
    if (view.length - offset - FRAME_OVERHEAD < length) return { records, consumed: offset, stoppedBy: "incomplete" };
    const payload = view.subarray(offset + FRAME_OVERHEAD, offset + FRAME_OVERHEAD + length);
    if (verify && crc32(payload) !== view.readUInt32LE(offset + 4)) return { records, consumed: offset, stoppedBy: "corrupt" };
    records.push(decodePayload(payload));
    offset += FRAME_OVERHEAD + length;
  }
  return { records, consumed: offset };
}

function corruptHistory(): RunlogError {
  return new RunlogError("LOG_CORRUPT", "A history frame's columns do not match its body.");
}

function decodePayload(payload: Buffer): DecodedRecord {
  const kind = KIND_NAMES[payload.readUInt8(0)];
  const headerLength = payload.readUInt32LE(1);
  if (kind === undefined || PAYLOAD_PREFIX + headerLength > payload.length) {
    throw new RunlogError(
      "LOG_CORRUPT",
      "A transaction-log frame has a valid checksum but an unknown layout; the log was written by a newer runlog.",
    );
  }
  const header = decodeJson<Record<string, unknown>>(payload.toString("utf8", PAYLOAD_PREFIX, PAYLOAD_PREFIX + headerLength));
  if (kind !== "history") return { kind, header } as unknown as DecodedRecord;
  const keys = header.keys as string[];
  const counts = header.counts as number[];
  const stepsOf = header.stepsOf as number[] | undefined;
  // Frames are 8-byte aligned, so the columns are views into the received bytes; a buffer
  // that is not aligned (an old log, a sliced read) is copied once.
  const bodyStart = payload.byteOffset + PAYLOAD_PREFIX + headerLength;
  const bodyLength = (payload.length - PAYLOAD_PREFIX - headerLength) / 8;
  const body =
    bodyStart % 8 === 0
      ? new Float64Array(payload.buffer, bodyStart, bodyLength)
      : new Float64Array(payload.buffer.slice(bodyStart, bodyStart + bodyLength * 8));
  const columns: ScalarColumn[] = [];
  let at = 0;
  keys.forEach((key, i) => {
    const count = counts[i] ?? 0;
    const owner = stepsOf === undefined ? i : (stepsOf[i] as number);
    let steps: Float64Array;
    if (owner === i) {
      steps = body.subarray(at, at + count);
      at += count;
    } else {
      steps = (columns[owner] as ScalarColumn | undefined)?.steps ?? new Float64Array(0);
      if (!(owner < i && stepsOf?.[owner] === owner && steps.length === count)) throw corruptHistory();
    }
    columns.push({ key, steps, values: body.subarray(at, at + count) });
    at += count;
  });
  if (stepsOf !== undefined && at !== body.length) throw corruptHistory();
  return { kind, header, columns } as unknown as DecodedRecord;
}
