import { resolve } from "node:path";
// Only the error class (no imports of its own): the whole of @runlog/core loads after the bind, in dispatch.js.
import { RunlogError } from "@runlog/core/errors";
import { Context, Router } from "zeromq";
import type { Dispatcher } from "./dispatch.js";
import { parseEndpoint } from "./endpoint.js";
import type { HandlerContext } from "./handlers.js";
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
  /**
   * Close by itself once no client has been connected and no run hosted for this long (a bridge
   * shared by several scripts: it goes away after the last one). Default: never.
   */
  readonly idleTimeoutMs?: number;
}

export interface Bridge {
  readonly endpoint: string;
  /** Finishes every hosted run (as crashed: its client did not finish it) and closes the socket. */
  close(): Promise<void>;
  /** Settles once the bridge has closed, by `close()` or after `idleTimeoutMs` without clients. */
  readonly closed: Promise<void>;
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
  // Counted from the socket's events: a client killed by SIGKILL disconnects at once on ipc and
  // within the heartbeat timeout on tcp.
  let connected = 0;
  const idle = new IdleTimer(
    options.idleTimeoutMs,
    () => connected === 0,
    () => {
      log(`no client connected for ${(options.idleTimeoutMs ?? 0) / 1000} s: closing`);
      void close();
    },
  );
  socket.events.on("accept", () => {
    connected++;
    idle.check();
  });
  socket.events.on("disconnect", () => {
    connected = Math.max(0, connected - 1);
    idle.check();
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
  const sendFrame = (peer: Buffer, frame: Buffer) => {
    outbox.push([peer, frame]);
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

  // Loaded while the first client connects; messages wait for it in order.
  const dispatcher: Promise<Dispatcher> = import("./dispatch.js").then(({ createDispatcher }) =>
    createDispatcher(handlerContext, sendFrame, log, maxMessageBytes),
  );
  let malformed = 0;
  const receiving = (async () => {
    const dispatch = await dispatcher;
    for await (const frames of socket) {
      const [peer, frame, ...extra] = frames as Buffer[];
      if (peer === undefined || frame === undefined || extra.length > 0) {
        if (++malformed <= 10) log(`dropped a message of ${frames.length} frames (expected identity + payload)`);
        continue;
      }
      dispatch.handle(peer, frame);
    }
  })();

  // A client that stops talking (killed, frozen) has its run marked crashed once its timeout passes.
  const watchdog = setInterval(() => {
    for (const session of sessions.silent(Date.now())) {
      sessions.delete(session.run.id);
      log(`no word from the client of run ${session.run.path} for ${Math.round(session.crashTimeoutMs / 1000)} s: marking it crashed`);
      void session.run.finishAs(1, "crashed", true).catch(() => {});
    }
    idle.check();
  }, 250);
  watchdog.unref();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      idle.stop();
      clearInterval(watchdog);
      socket.close();
      zap?.close();
      await receiving.catch(() => {});
      // Runs still hosted lost their client (it never finished them): crashed, with every acked record kept.
      await Promise.all(sessions.all().map((session) => session.run.finishAs(1, "crashed", true).catch(() => {})));
    })());
  idle.check();

  return {
    // The bound address: with port 0 it names the port the system chose.
    endpoint: socket.lastEndpoint ?? endpoint,
    close,
    closed: idle.fired.then(close),
  };
}

/** Fires once `isIdle` has held for `ms` without a break (re-checked on every connect and disconnect). */
class IdleTimer {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #fire: () => void = () => {};
  readonly fired = new Promise<void>((resolve) => {
    this.#fire = resolve;
  });

  constructor(
    private readonly ms: number | undefined,
    private readonly isIdle: () => boolean,
    private readonly onIdle: () => void,
  ) {}

  check(): void {
    if (this.ms === undefined || this.#stopped) return;
    if (!this.isIdle()) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#stopped = true;
        this.onIdle();
        this.#fire();
      }, this.ms);
    }
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#fire();
  }
}
