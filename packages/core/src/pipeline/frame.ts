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

/** Bytes of a scanned buffer that held no valid frame (offsets into that buffer). */
export interface DamagedRange {
  readonly start: number;
  readonly end: number;
  /** How many of the scan's records come before the damage. */
  readonly recordsBefore: number;
}

export interface FrameScan {
  readonly records: DecodedRecord[];
  /** Bytes of `buffer` consumed by complete, valid frames (and, with `resync`, the damage skipped between them). */
  readonly consumed: number;
  /** Why scanning stopped early, if it did (a torn or corrupt frame). */
  readonly stoppedBy?: "corrupt" | "incomplete";
  /** With `resync`: damaged ranges skipped to reach the next valid frame. */
  readonly damaged: DamagedRange[];
}

export interface ScanOptions {
  /** Check CRCs (default true). `false` for bytes that never left memory (the worker's deliveries). */
  readonly verify?: boolean;
  /**
   * Skip a damaged frame and resynchronise on the next one that verifies, instead of stopping
   * (reading logs from disk). Without it a damaged frame stops the scan (a peer's upload is refused whole).
   */
  readonly resync?: boolean;
  /** No bytes follow `buffer`: an incomplete frame at the end is a torn tail unless a valid frame follows it. */
  readonly final?: boolean;
}

type FrameAt = { readonly record: DecodedRecord; readonly next: number } | "incomplete" | "corrupt";

const OPEN_BRACE = 0x7b;

/** Whether a frame could start at `offset` (cheap checks before a CRC): resync tries only these. */
export function plausibleFrameAt(view: Buffer, offset: number): boolean {
  if (view.length - offset < FRAME_OVERHEAD + PAYLOAD_PREFIX + 1) return false;
  const length = view.readUInt32LE(offset);
  if (length < PAYLOAD_PREFIX + 1 || length > MAX_FRAME_BYTES) return false;
  if (KIND_NAMES[view.readUInt8(offset + 8)] === undefined) return false;
  const headerLength = view.readUInt32LE(offset + 9);
  return headerLength >= 1 && headerLength <= length - PAYLOAD_PREFIX && view[offset + 13] === OPEN_BRACE;
}

function frameAt(view: Buffer, offset: number, verify: boolean, lenient: boolean): FrameAt {
  if (view.length - offset < FRAME_OVERHEAD) return "incomplete";
  const length = view.readUInt32LE(offset);
  if (length < PAYLOAD_PREFIX || length > MAX_FRAME_BYTES) return "corrupt";
  if (view.length - offset - FRAME_OVERHEAD < length) return "incomplete";
  const payload = view.subarray(offset + FRAME_OVERHEAD, offset + FRAME_OVERHEAD + length);
  if (verify && crc32(payload) !== view.readUInt32LE(offset + 4)) return "corrupt";
  try {
    return { record: decodePayload(payload), next: offset + FRAME_OVERHEAD + length };
  } catch (error) {
    // A frame whose checksum holds but whose content does not decode: skipped like damage when resyncing.
    if (lenient && RunlogError.isInstance(error) && error.code === "LOG_CORRUPT") return "corrupt";
    throw error;
  }
}

/** Decodes every complete frame in `buffer` (see ScanOptions). */
export function scanFrames(buffer: Uint8Array, options: ScanOptions = {}): FrameScan {
  const verify = options.verify ?? true;
  const resync = options.resync ?? false;
  const view = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const records: DecodedRecord[] = [];
  const damaged: DamagedRange[] = [];
  let offset = 0;
  while (offset < view.length) {
    const found = frameAt(view, offset, verify, resync);
    if (typeof found === "object") {
      records.push(found.record);
      offset = found.next;
      continue;
    }
    if (found === "incomplete" && !options.final) return { records, consumed: offset, stoppedBy: "incomplete", damaged };
    if (!resync) return { records, consumed: offset, stoppedBy: found, damaged };
    // Damage (or, at the very end, a torn tail): look for the next frame that verifies.
    let next = offset + 1;
    for (; next < view.length; next++) {
      if (!plausibleFrameAt(view, next)) continue;
      const candidate = frameAt(view, next, verify, true);
      if (typeof candidate === "object" || (candidate === "incomplete" && !options.final)) break;
    }
    if (next >= view.length) {
      // Nothing valid follows. At the end of a log that is a torn tail; mid-stream, keep the
      // last bytes (a frame's start may be split across reads) and skip the rest as damage.
      // (Power lost mid-write can leave a full-length frame of zeros: at the end, that too is a torn tail.)
      if (found === "incomplete" || options.final) return { records, consumed: offset, stoppedBy: found, damaged };
      const keep = Math.max(offset, view.length - (FRAME_OVERHEAD + PAYLOAD_PREFIX));
      if (keep > offset) damaged.push({ start: offset, end: keep, recordsBefore: records.length });
      return { records, consumed: keep, stoppedBy: "incomplete", damaged };
    }
    damaged.push({ start: offset, end: next, recordsBefore: records.length });
    offset = next;
  }
  return { records, consumed: offset, damaged };
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
  let header: Record<string, unknown>;
  try {
    header = decodeJson<Record<string, unknown>>(payload.toString("utf8", PAYLOAD_PREFIX, PAYLOAD_PREFIX + headerLength));
  } catch (error) {
    throw new RunlogError("LOG_CORRUPT", `A transaction-log frame's header is not valid JSON (${(error as Error).message}).`, {
      cause: error,
    });
  }
  if (typeof header !== "object" || header === null || typeof header.seq !== "number") {
    throw new RunlogError("LOG_CORRUPT", "A transaction-log frame's header has no sequence number.");
  }
  if (kind !== "history") return { kind, header } as unknown as DecodedRecord;
  const keys = header.keys as string[];
  const counts = header.counts as number[];
  const stepsOf = header.stepsOf as number[] | undefined;
  const bodyBytes = payload.length - PAYLOAD_PREFIX - headerLength;
  if (
    !Array.isArray(keys) ||
    !Array.isArray(counts) ||
    counts.length !== keys.length ||
    !Array.isArray(header.rows) ||
    (stepsOf !== undefined && (!Array.isArray(stepsOf) || stepsOf.length !== keys.length)) ||
    bodyBytes % 8 !== 0 ||
    !counts.every((count) => Number.isInteger(count) && count >= 0)
  ) {
    throw corruptHistory();
  }
  // Frames are 8-byte aligned, so the columns are views into the received bytes; a buffer
  // that is not aligned (an old log, a sliced read) is copied once.
  const bodyStart = payload.byteOffset + PAYLOAD_PREFIX + headerLength;
  const bodyLength = bodyBytes / 8;
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
    if (at + count * (owner === i ? 2 : 1) > body.length) throw corruptHistory();
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
  if (at !== body.length) throw corruptHistory();
  return { kind, header, columns } as unknown as DecodedRecord;
}
