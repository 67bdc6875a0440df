import { RunlogError } from "@runlog/core/errors";
import type { HandlerContext } from "../handlers.js";
import type { ClientMessage, Outgoing } from "../protocol.js";
import type { Session } from "../sessions.js";

export type MessageKind = ClientMessage["t"];
export type MessageOf<K extends MessageKind> = Extract<ClientMessage, { t: K }>;

/** What a message handler gets besides its message: the bridge, the sender, and the run it names. */
export interface MessageContext {
  readonly bridge: HandlerContext;
  readonly peer: Buffer;
  readonly maxMessageBytes: number;
  /** The run the message names, when this bridge hosts it. */
  readonly session: Session | undefined;
  send(message: Outgoing): void;
  /** Answers request `rid` with the outcome of `work` (a RunlogError's code, or INTERNAL). */
  reply(rid: number, work: Promise<unknown>): void;
}

/** One handler per message kind, as core has one applier per record kind. */
export type MessageHandler<K extends MessageKind> = (message: MessageOf<K>, at: MessageContext) => void;

/**
 * Runs a run-scoped request's `work` at once (as the message arrives, before the next one) on the
 * session the message names; without one, a rejection the client sees as RUN_NOT_FOUND.
 */
export function inSession<T>(at: MessageContext, run: string, work: (session: Session) => T | Promise<T>): Promise<T> {
  const session = at.session;
  if (session === undefined) return Promise.reject(new RunlogError("RUN_NOT_FOUND", `This bridge hosts no run ${run}.`));
  try {
    return Promise.resolve(work(session));
  } catch (error) {
    return Promise.reject(error);
  }
}
