// Writes large, deterministic import sources fast, for the constant-memory test and bench/import.mjs:
//   node scripts/make-large-sources.mjs tfevents <dir> <points> [--bulk]  → <dir>/run/events.out.tfevents.1700000000.bench
//   node scripts/make-large-sources.mjs wandb <file> <points> [--bulk]    → a W&B transaction log (.wandb)
// Each step logs KEYS scalar metrics (m0…m9), so <points> / KEYS steps; --bulk adds a 64-bucket
// histogram "h" to every step (one more point, about 1.5 KB), for big files with few points. Records are encoded with the
// same protobuf schemas the importer decodes, framed as TensorBoard (TFRecord, masked CRC-32C) and
// W&B (LevelDB log blocks, CRC-32) write them. Prints the file written and its size as JSON.
import { closeSync, mkdirSync, openSync, statSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { crc32c } from "@aws-crypto/crc32c";
import protobuf from "protobufjs";

const require = createRequire(import.meta.url);
const KEYS = 10;
const START = 1_700_000_000;
const FLUSH_BYTES = 8 * 1024 * 1024;

/** Buffers writes into 8 MiB appends. */
function bufferedFile(path) {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, "w");
  let parts = [];
  let bytes = 0;
  const flush = () => {
    if (bytes > 0) writeSync(fd, Buffer.concat(parts, bytes));
    parts = [];
    bytes = 0;
  };
  return {
    write(buffer) {
      parts.push(buffer);
      bytes += buffer.length;
      if (bytes >= FLUSH_BYTES) flush();
    },
    close() {
      flush();
      closeSync(fd);
    },
  };
}

const value = (step, key) => Math.sin(step * 0.001 + key) * (key + 1);
const BUCKETS = 64;
/** A histogram of `step`: 64 bucket edges and counts. */
function histogram(step) {
  const limits = Array.from({ length: BUCKETS }, (_, i) => i + step * 1e-6);
  const counts = Array.from({ length: BUCKETS }, (_, i) => ((i * 7919 + step) % 97) + 1);
  return { limits, counts };
}

function maskedCrc32c(bytes) {
  const crc = crc32c(bytes);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

function writeTfEvents(dir, points, bulk) {
  const schema = require("../src/schemas/tensorboard.json");
  const Event = protobuf.Root.fromJSON(schema.root).lookupType("tensorboard.Event");
  const file = join(dir, "run", `events.out.tfevents.${START}.bench`);
  const out = bufferedFile(file);
  const record = (message) => {
    const data = Buffer.from(Event.encode(message).finish());
    const head = Buffer.alloc(12);
    head.writeBigUInt64LE(BigInt(data.length), 0);
    head.writeUInt32LE(maskedCrc32c(head.subarray(0, 8)), 8);
    const tail = Buffer.alloc(4);
    tail.writeUInt32LE(maskedCrc32c(data), 0);
    out.write(head);
    out.write(data);
    out.write(tail);
  };
  record({ wall_time: START, file_version: "brain.Event:2" });
  const steps = Math.ceil(points / KEYS);
  for (let step = 0; step < steps; step++) {
    const values = [];
    for (let key = 0; key < KEYS; key++) values.push({ tag: `m${key}`, simple_value: value(step, key) });
    if (bulk) {
      const { limits, counts } = histogram(step);
      const num = counts.reduce((a, b) => a + b, 0);
      values.push({ tag: "h", histo: { min: 0, max: BUCKETS, num, sum: num, sum_squares: num, bucket_limit: limits, bucket: counts } });
    }
    record({ wall_time: START + step * 0.01, step, summary: { value: values } });
  }
  out.close();
  return { file, steps, points: steps * (KEYS + (bulk ? 1 : 0)) };
}

function writeWandb(file, points, bulk) {
  const schema = require("../src/schemas/wandb.json");
  const Record = protobuf.Root.fromJSON(schema.root).lookupType("wandb_internal.Record");
  const out = bufferedFile(file);
  out.write(Buffer.from([0x3a, 0x57, 0x26, 0x42, 0xe1, 0xbe, 0x00]));
  const BLOCK = 32 * 1024;
  let inBlock = 7;
  const chunk = (type, data) => {
    const head = Buffer.alloc(7);
    head.writeUInt16LE(data.length, 4);
    head[6] = type;
    head.writeUInt32LE(crc32(data, crc32(head.subarray(6, 7))), 0);
    out.write(head);
    out.write(data);
    inBlock += 7 + data.length;
  };
  const record = (message) => {
    let data = Buffer.from(Record.encode(message).finish());
    let first = true;
    for (;;) {
      if (BLOCK - inBlock < 7) {
        out.write(Buffer.alloc(BLOCK - inBlock)); // LevelDB pads a block tail too small for a chunk header
        inBlock = 0;
      }
      const room = BLOCK - inBlock - 7;
      if (data.length <= room) {
        chunk(first ? 1 : 4, data);
        return;
      }
      chunk(first ? 2 : 3, data.subarray(0, room));
      data = data.subarray(room);
      first = false;
    }
  };
  record({ run: { run_id: "bench", project: "bench", display_name: "bench", start_time: { seconds: START } } });
  const steps = Math.ceil(points / KEYS);
  for (let step = 0; step < steps; step++) {
    const item = [
      { key: "_step", value_json: String(step) },
      { key: "_timestamp", value_json: String(START + step * 0.01) },
      { key: "_runtime", value_json: String(step * 0.01) },
    ];
    for (let key = 0; key < KEYS; key++) item.push({ key: `m${key}`, value_json: String(value(step, key)) });
    if (bulk) {
      const { limits, counts } = histogram(step);
      item.push({ key: "h", value_json: JSON.stringify({ _type: "histogram", values: counts, bins: [...limits, BUCKETS + step * 1e-6] }) });
    }
    record({ history: { item, step: { num: step } } });
  }
  record({ exit: { exit_code: 0, runtime: Math.ceil(steps * 0.01) } });
  out.close();
  return { file, steps, points: steps * (KEYS + (bulk ? 1 : 0)) };
}

const [kind, target, count, flag] = process.argv.slice(2);
const bulk = flag === "--bulk";
const points = Number(count);
if (!["tfevents", "wandb"].includes(kind) || !target || !Number.isSafeInteger(points) || points <= 0) {
  console.error("usage: make-large-sources.mjs tfevents|wandb <dir|file> <points>");
  process.exit(2);
}
const result = kind === "tfevents" ? writeTfEvents(target, points, bulk) : writeWandb(target, points, bulk);
console.log(JSON.stringify({ ...result, bytes: statSync(result.file).size }));
