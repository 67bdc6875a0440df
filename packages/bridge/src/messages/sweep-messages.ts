import type { HandlerContext } from "../handlers.js";
import { handleSweep, type SweepContext } from "../sweep-calls.js";
import type { MessageHandler } from "./message-context.js";

// The sweep agents a bridge runs for its clients (`runlog.agent`), one table per bridge.
const agentsOf = new WeakMap<HandlerContext, SweepContext>();

function sweepContext(bridge: HandlerContext): SweepContext {
  let sweeps = agentsOf.get(bridge);
  if (sweeps === undefined) {
    sweeps = { dir: bridge.dir, agents: new Map() };
    agentsOf.set(bridge, sweeps);
  }
  return sweeps;
}

/** `runlog.sweep` / `runlog.agent`: needs no run (the trials' own inits do). */
export const onSweep: MessageHandler<"sweep"> = (message, at) =>
  at.reply(message.rid, handleSweep(sweepContext(at.bridge), message.method, message.args ?? {}));
