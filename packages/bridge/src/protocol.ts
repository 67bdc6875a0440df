import { RunlogError } from "@runlog/core/errors";
import { pack, unpack } from "msgpackr";
import { PROTOCOL_VERSION } from "./endpoint.js";

/** Messages a client sends (PROTOCOL.md). `rid` correlates a request with its reply. */
export type ClientMessage =
  | { t: "hello"; client?: Record<string, unknown> }
  | { t: "init"; rid: number; options: Record<string, unknown> }
  | { t: "records"; run: string; seq: number; items?: unknown[][]; packed?: Uint8Array }
  | { t: "finish"; rid: number; run: string; exit_code?: number }
  | { t: "save"; rid: number; run: string; path: string; base_path?: string }
  | { t: "heartbeat"; run?: string }
  | { t: "upload"; rid: number; run: string; staging?: string; name: string; offset?: number; data?: Uint8Array }
  | {
      t: "log_artifact";
      rid: number;
      run: string;
      staging: string;
      name: string;
      type: string;
      aliases?: string[];
      metadata?: Record<string, unknown>;
      description?: string;
      mode?: "upsert" | "finish";
      distributed_id?: string;
    }
  | { t: "log_model"; rid: number; run: string; staging: string; name?: string; aliases?: string[]; registered_model_name?: string }
  | {
      t: "use_artifact";
      rid: number;
      run: string;
      name: string;
      type?: string;
      aliases?: string[];
      root?: string;
      download_dir?: string;
      model?: boolean;
    }
  | { t: "call"; rid: number; run: string; method: string; args?: Record<string, unknown> }
  | { t: "api"; rid: number; method: string; args?: Record<string, unknown> }
  | { t: "sweep"; rid: number; method: string; args?: Record<string, unknown> };

export type BridgeMessage =
  | { v: number; t: "welcome"; protocol: number; max_message_bytes: number }
  | { v: number; t: "reply"; rid: number; ok: true; result: unknown }
  | { v: number; t: "reply"; rid: number; ok: false; code: string; message: string }
  | { v: number; t: "ack"; run: string; seq: number }
  | { v: number; t: "error"; code: string; message: string; run?: string };

/** A bridge message before the version is added. */
export type Outgoing = BridgeMessage extends infer M ? (M extends unknown ? Omit<M, "v"> : never) : never;

/** The message kinds a client may send: one handler each in messages/message-table.ts. */
export const MESSAGE_KINDS: ReadonlySet<string> = new Set([
  "hello",
  "init",
  "records",
  "finish",
  "save",
  "heartbeat",
  "upload",
  "log_artifact",
  "log_model",
  "use_artifact",
  "call",
  "api",
  "sweep",
]);
const REQUESTS = new Set(["init", "finish", "save", "upload", "log_artifact", "log_model", "use_artifact", "call", "api", "sweep"]);

export function encodeMessage(message: Outgoing): Buffer {
  return pack({ v: PROTOCOL_VERSION, ...message });
}

function fail(message: string): never {
  throw new RunlogError("INVALID_ARGUMENT", message);
}

/** Decodes and checks one client frame; anything malformed is an INVALID_ARGUMENT naming what is wrong. */
export function decodeMessage(frame: Buffer): ClientMessage {
  let value: unknown;
  try {
    value = unpack(frame);
  } catch {
    fail("The frame is not msgpack.");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail("A message must be a msgpack map.");
  const message = value as Record<string, unknown>;
  if (message.v !== PROTOCOL_VERSION) {
    throw new RunlogError(
      "MODE_UNAVAILABLE",
      `Protocol version ${JSON.stringify(message.v)} is not supported; this bridge speaks version ${PROTOCOL_VERSION}.`,
    );
  }
  if (typeof message.t !== "string" || !MESSAGE_KINDS.has(message.t))
    fail(`Unknown message type ${JSON.stringify(message.t)?.slice(0, 40)}.`);
  const needsRid = REQUESTS.has(message.t);
  if (needsRid && !Number.isSafeInteger(message.rid)) fail(`${message.t} needs an integer rid.`);
  if (
    message.t !== "hello" &&
    message.t !== "heartbeat" &&
    message.t !== "init" &&
    message.t !== "api" &&
    message.t !== "sweep" &&
    typeof message.run !== "string"
  )
    fail(`${message.t} needs the run id.`);
  if ((message.t === "log_artifact" || message.t === "log_model") && typeof message.staging !== "string")
    fail(`${message.t} needs the staging id of an upload.`);
  if (message.t === "log_artifact" && (typeof message.name !== "string" || typeof message.type !== "string"))
    fail("log_artifact needs a name and a type.");
  if (message.t === "use_artifact" && typeof message.name !== "string") fail("use_artifact needs a name.");
  if (message.t === "records") {
    if (!Number.isSafeInteger(message.seq) || (message.seq as number) < 1) fail("records needs a positive integer seq.");
    if (message.packed !== undefined) {
      if (!(message.packed instanceof Uint8Array) || message.items !== undefined)
        fail("records carries either packed (bin: msgpack items back to back) or items, not both.");
    } else if (!Array.isArray(message.items) || !message.items.every(Array.isArray))
      fail("records needs items: a list of [kind, ...] lists (or packed: the same items as msgpack back to back).");
  }
  if (message.t === "init" && (message.options === null || typeof message.options !== "object" || Array.isArray(message.options)))
    fail("init needs options: a map.");
  if ((message.t === "call" || message.t === "api" || message.t === "sweep") && typeof message.method !== "string")
    fail(`${message.t} needs a method name.`);
  if (
    (message.t === "call" || message.t === "api" || message.t === "sweep") &&
    message.args !== undefined &&
    (message.args === null || typeof message.args !== "object" || Array.isArray(message.args))
  )
    fail(`${message.t} args must be a map.`);
  if (message.t === "save" && typeof message.path !== "string") fail("save needs a path.");
  return message as unknown as ClientMessage;
}
