import { RunlogError } from "@runlog/core/errors";
import type { HandlerContext } from "./handlers.js";
import type { MessageContext, MessageHandler, MessageKind } from "./messages/message-context.js";
import { MESSAGE_HANDLERS } from "./messages/message-table.js";
import { decodeMessage, encodeMessage, type Outgoing } from "./protocol.js";

/**
 * Everything that needs @runlog/core (the store, the Run) and msgpackr. The bridge binds its socket
 * first and loads this module afterwards, so a client can connect while it loads: the first `init`
 * waits for it, not the bridge's "listening" line.
 */
export interface Dispatcher {
  handle(peer: Buffer, frame: Buffer): void;
}

/** Decodes each frame and hands it to its kind's handler in `MESSAGE_HANDLERS` (messages/). */
export function createDispatcher(
  context: HandlerContext,
  sendFrame: (peer: Buffer, frame: Buffer) => void,
  log: (line: string) => void,
  maxMessageBytes: number,
): Dispatcher {
  const { sessions } = context;
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
      const session = "run" in message && message.run ? sessions.get(message.run) : undefined;
      if (session) {
        session.lastSeen = Date.now();
        session.peer = peer;
      }
      const at: MessageContext = {
        bridge: context,
        peer,
        maxMessageBytes,
        session,
        send: (outgoing) => send(peer, outgoing),
        reply: (rid, work) => void reply(peer, rid, work),
      };
      // decodeMessage admits only the kinds of ClientMessage, so every kind has a handler.
      (MESSAGE_HANDLERS[message.t] as MessageHandler<MessageKind>)(message, at);
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
