import { RunlogError } from "@runlog/core/errors";
import { handleApi } from "./api-calls.js";
import { handleLogArtifact, handleLogModel, handleUpload, handleUseArtifact } from "./artifact-handlers.js";
import { type HandlerContext, handleFinish, handleInit, handleRecords, handleSave } from "./handlers.js";
import { decodeMessage, encodeMessage, type Outgoing } from "./protocol.js";
import { handleCall } from "./run-calls.js";
import { type AgentSession, handleSweep } from "./sweep-calls.js";

/**
 * Everything that needs @runlog/core (the store, the Run) and msgpackr. The bridge binds its socket
 * first and loads this module afterwards, so a client can connect while it loads: the first `init`
 * waits for it, not the bridge's "listening" line.
 */
export interface Dispatcher {
  handle(peer: Buffer, frame: Buffer): void;
}

export function createDispatcher(
  context: HandlerContext,
  sendFrame: (peer: Buffer, frame: Buffer) => void,
  log: (line: string) => void,
  maxMessageBytes: number,
): Dispatcher {
  const { sessions } = context;
  const sweeps = { dir: context.dir, agents: new Map<string, AgentSession>() };
  const send = (peer: Buffer, message: Outgoing) => sendFrame(peer, encodeMessage(message));
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
  const handle = (peer: Buffer, frame: Buffer) => {
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
          void reply(peer, message.rid, handleInit(context, message.options, peer));
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
            session ? handleFinish(context, session, Number(message.exit_code ?? 0)) : Promise.reject(unknownRun(message.run)),
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
            session ? handleCall(context.dir, session, message.method, message.args ?? {}) : Promise.reject(unknownRun(message.run)),
          );
          break;
        case "api":
          void reply(peer, message.rid, handleApi(context.dir, message.method, message.args ?? {}));
          break;
        case "sweep":
          void reply(peer, message.rid, handleSweep(sweeps, message.method, message.args ?? {}));
          break;
      }
    } catch (error) {
      const code = RunlogError.isInstance(error) ? error.code : "INTERNAL";
      if (++dropped <= 10 || dropped % 1000 === 0) log(`bad message (${code}): ${(error as Error)?.message ?? error} [${dropped} so far]`);
      send(peer, {
        t: "error",
        code: code === "MODE_UNAVAILABLE" ? "PROTOCOL_VERSION" : code,
        message: String((error as Error)?.message ?? error).slice(0, 500),
      });
    }
  };
  return { handle };
}

function unknownRun(run: string): RunlogError {
  return new RunlogError("RUN_NOT_FOUND", `This bridge hosts no run ${run}.`);
}
