import { resolve } from "node:path";
import { RunlogError } from "@runlog/core";
import { Context, Router } from "zeromq";
import { handleApi } from "./api-calls.js";
import { handleLogArtifact, handleLogModel, handleUpload, handleUseArtifact } from "./artifact-handlers.js";
import { parseEndpoint } from "./endpoint.js";
import { type HandlerContext, handleFinish, handleInit, handleRecords, handleSave } from "./handlers.js";
import { decodeMessage, encodeMessage, type Outgoing } from "./protocol.js";
import { handleCall } from "./run-calls.js";
import { Sessions } from "./sessions.js";
import { startZapHandler } from "./zap.js";

export interface CurveOptions {
  /** The bridge's CURVE key pair (Z85, 40 characters each): `zmq.curveKeyPair()` or `runlog bridge keys`. */
  readonly publicKey: string;
  readonly secretKey: string;
  /** Client public keys (Z85) that may connect. Required: without it any client knowing the bridge's public key would get in. */
  readonly allow: readonly string[];
}

export interface BridgeOptions {
  /** Default tcp://127.0.0.1:5555. Another interface than loopback needs `curve`. */
  readonly endpoint?: string;
  /** The runlog folder runs are written to (default RUNLOG_DIR or ./runlog). */
  readonly dir?: string;
  readonly curve?: CurveOptions;
  /** Silence after which a client's run is marked crashed (default: the run's crashTimeout setting, 300 s). */
  readonly crashTimeoutMs?: number;
  /** Largest message accepted (default 64 MiB); bigger ones disconnect the client at the transport. */
  readonly maxMessageBytes?: number;
  /** Where problems are reported (default stderr). */
  readonly log?: (line: string) => void;
}

export interface Bridge {
  readonly endpoint: string;
  /** Finishes every hosted run (as crashed: its client did not finish it) and closes the socket. */
  close(): Promise<void>;
}

/**
 * Hosts Runlog runs for other processes (the Python client) over a ZeroMQ ROUTER socket speaking
 * the msgpack protocol in PROTOCOL.md. Each client's records are applied in order, resends are
 * dropped by sequence number, and acks go out only once the data is in the run's transaction log.
 */
export async function startBridge(options: BridgeOptions = {}): Promise<Bridge> {
  const endpoint = options.endpoint ?? "tcp://127.0.0.1:5555";
  const parsed = parseEndpoint(endpoint);
  if (!parsed.loopback && options.curve === undefined) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `Binding ${endpoint} exposes the bridge beyond this machine; pass curve keys and an allow-list of client keys (--curve-secret, --curve-allow).`,
    );
  }
  if (options.curve && options.curve.allow.length === 0) {
    throw new RunlogError("INVALID_ARGUMENT", "curve.allow must list at least one client public key.");
  }
  const log = options.log ?? ((line: string) => process.stderr.write(`runlog bridge: ${line}\n`));
  const maxMessageBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
  const context = new Context({ blocky: false });
  const zap = options.curve ? await startZapHandler(context, options.curve.allow, log) : undefined;
  const socket = new Router({
    context,
    linger: 0,
    maxMessageSize: maxMessageBytes,
    heartbeatInterval: 1000,
    heartbeatTimeout: 3000,
    sendHighWaterMark: 100_000,
    ...(options.curve
      ? { curveServer: true, curveSecretKey: options.curve.secretKey, curvePublicKey: options.curve.publicKey, zapDomain: "runlog" }
      : {}),
  });
  try {
    await socket.bind(endpoint);
  } catch (error) {
    socket.close();
    zap?.close();
    throw new RunlogError("INVALID_ARGUMENT", `Cannot bind ${endpoint}: ${(error as Error).message}`);
  }
  const handlerContext: HandlerContext = {
    dir: resolve(options.dir ?? process.env.RUNLOG_DIR ?? "./runlog"),
    sessions: new Sessions(),
    defaultCrashTimeoutMs: options.crashTimeoutMs ?? 300_000,
  };
  const { sessions } = handlerContext;

  // zeromq.js allows one pending send per socket: replies go through one queue.
  const outbox: [Buffer, Buffer][] = [];
  let pumping = false;
  const send = (peer: Buffer, message: Outgoing) => {
    outbox.push([peer, encodeMessage(message)]);
    if (pumping) return;
    pumping = true;
    void (async () => {
      while (outbox.length > 0) {
        const next = outbox.shift() as [Buffer, Buffer];
        try {
          await socket.send(next);
        } catch (error) {
          if (socket.closed) break;
          log(`a reply was not delivered: ${(error as Error).message}`);
        }
      }
      pumping = false;
    })();
  };
  const reply = (peer: Buffer, rid: number, work: Promise<unknown>) =>
    work.then(
      (result) => send(peer, { t: "reply", rid, ok: true, result }),
      (error: unknown) =>
        send(peer, {
          t: "reply",
          rid,
          ok: false,
          code: RunlogError.isInstance(error) ? error.code : "INTERNAL",
          message: String((error as Error)?.message ?? error),
        }),
    );

  let dropped = 0;
  const receiving = (async () => {
    for await (const frames of socket) {
      const [peer, frame, ...extra] = frames as Buffer[];
      if (peer === undefined || frame === undefined || extra.length > 0) {
        if (++dropped <= 10) log(`dropped a message of ${frames.length} frames (expected identity + payload)`);
        continue;
      }
      try {
        const message = decodeMessage(frame);
        const now = Date.now();
        const session = "run" in message && message.run ? sessions.get(message.run) : undefined;
        if (session) {
          session.lastSeen = now;
          session.peer = peer;
        }
        switch (message.t) {
          case "hello":
            send(peer, { t: "welcome", protocol: 1, max_message_bytes: maxMessageBytes });
            break;
          case "heartbeat":
            break;
          case "init":
            void reply(peer, message.rid, handleInit(handlerContext, message.options, peer));
            break;
          case "records": {
            if (session === undefined) {
              send(peer, {
                t: "error",
                code: "UNKNOWN_RUN",
                message: `This bridge hosts no run ${message.run}; init it again with id and resume "must".`,
                run: message.run,
              });
              break;
            }
            const { seq, errors } = handleRecords(session, message);
            errors.push(...session.lateErrors.splice(0));
            send(peer, { t: "ack", run: message.run, seq });
            for (const error of errors.slice(0, 3)) send(peer, { t: "error", code: "RECORD_REJECTED", message: error, run: message.run });
            if (errors.length > 3)
              send(peer, {
                t: "error",
                code: "RECORD_REJECTED",
                message: `and ${errors.length - 3} more records of this batch`,
                run: message.run,
              });
            break;
          }
          case "finish":
            void reply(
              peer,
              message.rid,
              session ? handleFinish(handlerContext, session, Number(message.exit_code ?? 0)) : Promise.reject(unknownRun(message.run)),
            );
            break;
          case "save":
            void reply(
              peer,
              message.rid,
              session ? handleSave(session, message.path, message.base_path) : Promise.reject(unknownRun(message.run)),
            );
            break;
          case "upload":
            void reply(
              peer,
              message.rid,
              session ? Promise.resolve().then(() => handleUpload(session, message)) : Promise.reject(unknownRun(message.run)),
            );
            break;
          case "log_artifact":
            void reply(peer, message.rid, session ? handleLogArtifact(session, message) : Promise.reject(unknownRun(message.run)));
            break;
          case "log_model":
            void reply(peer, message.rid, session ? handleLogModel(session, message) : Promise.reject(unknownRun(message.run)));
            break;
          case "use_artifact":
            void reply(peer, message.rid, session ? handleUseArtifact(session, message) : Promise.reject(unknownRun(message.run)));
            break;
          case "call":
            void reply(
              peer,
              message.rid,
              session
                ? handleCall(handlerContext.dir, session, message.method, message.args ?? {})
                : Promise.reject(unknownRun(message.run)),
            );
            break;
          case "api":
            void reply(peer, message.rid, handleApi(handlerContext.dir, message.method, message.args ?? {}));
            break;
        }
      } catch (error) {
        const code = RunlogError.isInstance(error) ? error.code : "INTERNAL";
        if (++dropped <= 10 || dropped % 1000 === 0)
          log(`bad message (${code}): ${(error as Error)?.message ?? error} [${dropped} so far]`);
        send(peer, {
          t: "error",
          code: code === "MODE_UNAVAILABLE" ? "PROTOCOL_VERSION" : code,
          message: String((error as Error)?.message ?? error).slice(0, 500),
        });
      }
    }
  })();

  // A client that stops talking (killed, frozen) has its run marked crashed once its timeout passes.
  const watchdog = setInterval(() => {
    for (const session of sessions.silent(Date.now())) {
      sessions.delete(session.run.id);
      log(`no word from the client of run ${session.run.path} for ${Math.round(session.crashTimeoutMs / 1000)} s: marking it crashed`);
      void session.run.finishAs(1, "crashed", true).catch(() => {});
    }
  }, 250);
  watchdog.unref();

  return {
    // The bound address: with port 0 it names the port the system chose.
    endpoint: socket.lastEndpoint ?? endpoint,
    async close() {
      clearInterval(watchdog);
      socket.close();
      zap?.close();
      await receiving.catch(() => {});
      await Promise.all(sessions.all().map((session) => session.run.finishAs(1, "crashed", true).catch(() => {})));
    },
  };
}

function unknownRun(run: string): RunlogError {
  return new RunlogError("RUN_NOT_FOUND", `This bridge hosts no run ${run}.`);
}
