import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, RunlogError } from "@runlog/core";
import { pack } from "msgpackr";
import { afterEach, describe, expect, it, vi } from "vitest";
import { curveKeyPair } from "zeromq";
import { type Bridge, startBridge } from "./index.js";
import { TestClient } from "./test-support/client.js";

// A real bridge on real ZeroMQ sockets writing real runs; clients are real DEALER sockets.
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// An ipc socket in the test's own temp folder: no port to collide with another test or process.
async function bridgeIn(options: Parameters<typeof startBridge>[0] = {}): Promise<{ bridge: Bridge; dir: string; endpoint: string }> {
  const dir = mkdtempSync(join(tmpdir(), "runlog-bridge-"));
  const bridge = await startBridge({ dir, endpoint: `ipc://${join(dir, "bridge.sock")}`, log: () => {}, ...options });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
  cleanups.push(() => bridge.close());
  return { bridge, dir, endpoint: bridge.endpoint };
}

function client(endpoint: string, options = {}): TestClient {
  const c = new TestClient(endpoint, options);
  cleanups.push(() => c.close());
  return c;
}

/** A bridge, a client, and a run it opened in entity "e". */
async function openRun(project: string): Promise<{ dir: string; c: TestClient; run: string }> {
  const { dir, endpoint } = await bridgeIn();
  const c = client(endpoint);
  const opened = await c.request({ t: "init", options: { project, entity: "e" } });
  return { dir, c, run: (opened.result as { id: string }).id };
}

async function history(dir: string, path: string) {
  const api = new Api({ dir });
  try {
    const run = await api.run(path);
    const rows = [];
    for await (const row of run.scanHistory()) rows.push(row);
    return { rows, run };
  } finally {
    api.close();
  }
}

describe("bridge protocol", () => {
  it("greets, opens a run, applies batches in order, drops resends and waits out gaps", async () => {
    const { dir, endpoint } = await bridgeIn();
    const c = client(endpoint);
    await c.send({ t: "hello" });
    expect(await c.next((m) => m.t === "welcome")).toMatchObject({ protocol: 1 });
    const opened = await c.request({ t: "init", options: { project: "p", entity: "e", name: "n", config: { lr: 0.1 } } });
    expect(opened).toMatchObject({ ok: true, result: { entity: "e", project: "p", name: "n", last_seq: 0, mode: "local", server: null } });
    const run = (opened.result as { id: string; path: string }).id;
    const batch = (seq: number, from: number) => ({ t: "records", run, seq, items: [0, 1].map((i) => ["log", { x: from + i }]) });
    const ack = () => c.next((m) => m.t === "ack");
    await c.send(batch(1, 0));
    expect(await ack()).toMatchObject({ seq: 1 });
    await c.send(batch(1, 0)); // a resend: dropped
    expect(await ack()).toMatchObject({ seq: 1 });
    await c.send(batch(3, 4)); // past a gap: waits for 2
    expect(await ack()).toMatchObject({ seq: 1 });
    await c.send(batch(2, 2));
    expect(await ack()).toMatchObject({ seq: 2 });
    await c.send(batch(3, 4));
    expect(await ack()).toMatchObject({ seq: 3 });
    await c.send({
      t: "records",
      run,
      seq: 4,
      items: [
        ["config", { batch: 8 }],
        ["summary", { best: 1 }],
        ["define_metric", "x", { summary: "max" }],
        ["nonsense"],
        ["log", { y: 1 }, { commit: true }],
      ],
    });
    expect(await ack()).toMatchObject({ seq: 4 });
    expect(await c.next((m) => m.t === "error")).toMatchObject({ code: "RECORD_REJECTED", run });
    expect(await c.request({ t: "finish", run, exit_code: 0 })).toMatchObject({ ok: true, result: { state: "finished", last_seq: 4 } });
    const { rows, run: stored } = await history(dir, `e/p/${run}`);
    expect(rows.map((r) => r.x ?? `y${r.y}`)).toEqual([0, 1, 2, 3, 4, 5, "y1"]);
    expect(stored.config).toEqual({ lr: 0.1, batch: 8 });
    expect(stored.summary).toMatchObject({ best: 1, x: 5 });
    expect(stored.state).toBe("finished");
  });

  it("applies packed records (what the Python client sends): flat rows, every other kind, and hostile bytes", async () => {
    const { dir, c, run } = await openRun("p");
    const packed = (...items: unknown[]) => Buffer.concat(items.map((item) => pack(item)));
    const ack = () => c.next((m) => m.t === "ack");
    const rejected = () => c.next((m) => m.t === "error" && m.code === "RECORD_REJECTED");
    await c.send({
      t: "records",
      run,
      seq: 1,
      packed: packed(
        ["log", { loss: 0.5, n: 3 }],
        ["log", { loss: 0.25, n: -40_000 }],
        ["config", { lr: 0.1 }],
        ["log", { loss: 0.125, text: "hi" }],
        ["log", { loss: 0.0625 }, { step: 10, commit: true }],
        ["summary", { best: 1 }],
        ["log", { loss: 1 }],
      ),
    });
    expect(await ack()).toMatchObject({ seq: 1 });
    await c.send({ t: "records", run, seq: 2, items: [], packed: Buffer.alloc(0) });
    expect(await c.next((m) => m.t === "error")).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/not both/) });
    // Records before bytes that do not decode are logged; the rest is reported, and the batch counts as applied.
    await c.send({ t: "records", run, seq: 2, packed: Buffer.concat([pack(["log", { loss: 2 }]), Buffer.from([0x92, 0xa3, 0x6c])]) });
    expect(await ack()).toMatchObject({ seq: 2 });
    expect(await rejected()).toMatchObject({ message: expect.stringMatching(/not msgpack/) });
    await c.send({ t: "records", run, seq: 3, packed: pack(["log", { loss: 3, acc: 0.5 }]).subarray(0, 12) });
    expect(await ack()).toMatchObject({ seq: 3 });
    expect(await rejected()).toBeTruthy();
    await c.send({ t: "records", run, seq: 4, packed: packed({ not: "a list" }, ["log", { loss: 4 }]) });
    expect(await ack()).toMatchObject({ seq: 4 });
    expect(await rejected()).toMatchObject({ message: expect.stringMatching(/\[kind/) });
    expect(await c.request({ t: "finish", run, exit_code: 0 })).toMatchObject({ ok: true, result: { last_seq: 4 } });
    const { rows, run: stored } = await history(dir, `e/p/${run}`);
    expect(rows.map((r) => [r._step, r.loss, r.n ?? r.text ?? null])).toEqual([
      [0, 0.5, 3],
      [1, 0.25, -40_000],
      [2, 0.125, "hi"],
      [10, 0.0625, null],
      [11, 1, null],
      [12, 2, null],
      [13, 4, null],
    ]);
    expect(stored.config).toEqual({ lr: 0.1 });
    expect(stored.summary).toMatchObject({ best: 1, loss: 4 });
  });

  it("answers garbage, wrong versions, unknown runs and bad requests with errors, and keeps serving", async () => {
    const { endpoint } = await bridgeIn();
    const c = client(endpoint);
    await c.send(Buffer.from("not msgpack at all"));
    expect(await c.next((m) => m.t === "error")).toMatchObject({ code: "INVALID_ARGUMENT" });
    await c.send({ v: 99, t: "hello" });
    expect(await c.next((m) => m.t === "error" && m.code === "PROTOCOL_VERSION")).toMatchObject({
      message: expect.stringMatching(/version 1/),
    });
    await c.send({ t: "records", run: "nosuchrun", seq: 1, items: [] });
    expect(await c.next((m) => m.t === "error" && m.code === "UNKNOWN_RUN")).toMatchObject({ run: "nosuchrun" });
    await c.send({ t: "records", run: "x", seq: -1, items: [] });
    expect(await c.next((m) => m.t === "error")).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await c.request({ t: "init", options: { project: "../../etc" } })).toMatchObject({ ok: false, code: "INVALID_ARGUMENT" });
    expect(await c.request({ t: "finish", run: "nosuchrun" })).toMatchObject({ ok: false, code: "RUN_NOT_FOUND" });
    await c.send({ t: "hello" });
    expect(await c.next((m) => m.t === "welcome")).toBeTruthy();
  });

  it("survives 10,000 random frames while another client keeps logging", async () => {
    const { dir, endpoint } = await bridgeIn();
    const good = client(endpoint);
    const opened = await good.request({ t: "init", options: { project: "fuzz", entity: "e" } });
    const run = (opened.result as { id: string }).id;
    const fuzzer = client(endpoint);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const shapes = [
      () => Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256))),
      () =>
        pack({
          v: 1,
          t: ["records", "init", "finish", "save", "hello", "zzz"][Math.floor(random() * 6)],
          run: random() > 0.5 ? "fuzz-run" : "x",
          seq: Math.floor(random() * 10) - 2,
          items: random() > 0.5 ? [["log", { a: random() }]] : "nope",
          rid: random() > 0.5 ? 1 : "r",
        }),
      () => pack([1, 2, 3]),
      () => Buffer.alloc(0),
    ];
    for (let i = 0; i < 10_000; i++) {
      await fuzzer.socket.send((shapes[Math.floor(random() * shapes.length)] as () => Buffer)());
      if (i % 1000 === 0) {
        await good.send({ t: "records", run, seq: i / 1000 + 1, items: [["log", { step_marker: i }]] });
      }
    }
    await good.next((m) => m.t === "ack" && m.seq === 10, 20_000);
    expect(await good.request({ t: "finish", run })).toMatchObject({ ok: true });
    const { rows } = await history(dir, `e/fuzz/${run}`);
    expect(rows.map((r) => r.step_marker)).toEqual(Array.from({ length: 10 }, (_, k) => k * 1000));
  });

  it("acks 2,000 batches of damaged packed rows one by one, and the run logs on afterwards", async () => {
    const { dir, c, run } = await openRun("damaged");
    let seed = 5;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const batches = 2000;
    for (let seq = 1; seq <= batches; seq++) {
      const bytes = Buffer.concat([pack(["log", { a: seq, b: 0.5, "train/loss": -seq }]), pack(["log", { c: seq }])]);
      for (let flip = 0; flip < 3; flip++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      await c.send({ t: "records", run, seq, packed: bytes });
    }
    expect(await c.next((m) => m.t === "ack" && m.seq === batches, 20_000)).toBeTruthy();
    await c.send({ t: "records", run, seq: batches + 1, packed: pack(["log", { marker: 1 }]) });
    expect(await c.next((m) => m.t === "ack" && m.seq === batches + 1)).toBeTruthy();
    expect(await c.request({ t: "finish", run })).toMatchObject({ ok: true });
    const { rows } = await history(dir, `e/damaged/${run}`);
    expect(rows.length).toBeGreaterThan(batches / 2); // the undamaged rows of damaged batches are logged
    expect(rows.at(-1)?.marker).toBe(1);
  });

  it("marks a run crashed when its client goes silent past the crash timeout", async () => {
    const { dir, endpoint } = await bridgeIn({ crashTimeoutMs: 600 });
    const c = client(endpoint);
    const run = ((await c.request({ t: "init", options: { project: "quiet", entity: "e" } })).result as { id: string }).id;
    await c.send({ t: "records", run, seq: 1, items: [["log", { a: 1 }]] });
    await c.next((m) => m.t === "ack");
    c.close(); // the "process" dies: no more heartbeats
    await vi.waitFor(async () => expect((await history(dir, `e/quiet/${run}`)).run.state).toBe("crashed"), {
      timeout: 15_000,
      interval: 100,
    });
    const { rows } = await history(dir, `e/quiet/${run}`);
    expect(rows.map((r) => r.a)).toEqual([1]);
  });

  it("refuses to bind beyond loopback without CURVE, and with CURVE admits only allow-listed client keys", async () => {
    await expect(startBridge({ endpoint: "tcp://0.0.0.0:5999", log: () => {} })).rejects.toThrow(/curve/i);
    const server = curveKeyPair();
    const allowed = curveKeyPair();
    const stranger = curveKeyPair();
    const { endpoint } = await bridgeIn({ endpoint: "tcp://0.0.0.0:0", curve: { ...server, allow: [allowed.publicKey] } });
    expect(endpoint).toMatch(/^tcp:\/\/0\.0\.0\.0:[1-9]\d*$/); // port 0: the bridge reports the port it got
    const local = endpoint.replace("0.0.0.0", "127.0.0.1");
    const friend = client(local, {
      curveServerKey: server.publicKey,
      curvePublicKey: allowed.publicKey,
      curveSecretKey: allowed.secretKey,
    });
    await friend.send({ t: "hello" });
    expect(await friend.next((m) => m.t === "welcome")).toBeTruthy();
    const foe = client(local, { curveServerKey: server.publicKey, curvePublicKey: stranger.publicKey, curveSecretKey: stranger.secretKey });
    await foe.send({ t: "hello" });
    await expect(foe.next((m) => m.t === "welcome", 1500)).rejects.toThrow(/no matching message/);
    const plain = client(local);
    await plain.send({ t: "hello" });
    await expect(plain.next((m) => m.t === "welcome", 1000)).rejects.toThrow(/no matching message/);
    await expect(startBridge({ curve: { ...server, allow: [] } })).rejects.toBeInstanceOf(RunlogError);
  });
});
