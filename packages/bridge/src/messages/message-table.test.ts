import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pack, unpack } from "msgpackr";
import { afterEach, describe, expect, it } from "vitest";
import { createDispatcher } from "../dispatch.js";
import { PROTOCOL_VERSION } from "../endpoint.js";
import { MESSAGE_KINDS } from "../protocol.js";
import { Sessions } from "../sessions.js";
import { MESSAGE_HANDLERS } from "./message-table.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A dispatcher over a fresh folder; every frame it sends is decoded into `sent`. */
function dispatcher() {
  const dir = mkdtempSync(join(tmpdir(), "runlog-dispatch-"));
  dirs.push(dir);
  const sent: Record<string, unknown>[] = [];
  const logged: string[] = [];
  const { handle } = createDispatcher(
    { dir, sessions: new Sessions(), defaultCrashTimeoutMs: 60_000 },
    (_peer, frame) => sent.push(unpack(frame) as Record<string, unknown>),
    (line) => logged.push(line),
    1234,
  );
  const peer = Buffer.from("peer");
  return { sent, logged, send: (message: Record<string, unknown>) => handle(peer, pack({ v: PROTOCOL_VERSION, ...message })) };
}

const settled = async (sent: unknown[], count: number) => {
  for (let i = 0; i < 200 && sent.length < count; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe("the bridge's message table", () => {
  it("has exactly one handler for every message kind the protocol admits", () => {
    expect(Object.keys(MESSAGE_HANDLERS).sort()).toEqual([...MESSAGE_KINDS].sort());
  });

  it("dispatches by kind: hello, heartbeat, run-scoped requests and records for a run it does not host", async () => {
    const { sent, send } = dispatcher();
    send({ t: "hello" });
    send({ t: "heartbeat" });
    expect(sent).toEqual([{ v: PROTOCOL_VERSION, t: "welcome", protocol: 1, max_message_bytes: 1234 }]);
    const runScoped = [
      { t: "finish", rid: 1, run: "nope" },
      { t: "save", rid: 2, run: "nope", path: "x" },
      { t: "upload", rid: 3, run: "nope", name: "f" },
      { t: "log_artifact", rid: 4, run: "nope", staging: "s", name: "a", type: "dataset" },
      { t: "log_model", rid: 5, run: "nope", staging: "s" },
      { t: "use_artifact", rid: 6, run: "nope", name: "a:latest" },
      { t: "call", rid: 7, run: "nope", method: "alert" },
    ];
    for (const message of runScoped) send(message);
    send({ t: "records", run: "nope", seq: 1, items: [] });
    await settled(sent, 1 + runScoped.length + 1);
    const replies = sent.filter((m) => m.t === "reply");
    expect(replies.map((m) => [m.rid, m.ok, m.code])).toEqual(runScoped.map((m) => [m.rid, false, "RUN_NOT_FOUND"]));
    expect(sent.filter((m) => m.t === "error")).toEqual([
      expect.objectContaining({ t: "error", code: "UNKNOWN_RUN", run: "nope", message: expect.stringMatching(/resume "must"/) }),
    ]);
  });

  it("answers an unknown kind with an error and keeps dispatching", async () => {
    const { sent, send, logged } = dispatcher();
    send({ t: "teleport", rid: 1 });
    send({ t: "hello" });
    expect(sent.map((m) => [m.t, m.code])).toEqual([
      ["error", "INVALID_ARGUMENT"],
      ["welcome", undefined],
    ]);
    expect(logged).toHaveLength(1);
  });
});
