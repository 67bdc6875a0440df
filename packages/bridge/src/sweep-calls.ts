import { agent, type FunctionTrial, RunlogError, sweep } from "@runlog/core";

/**
 * `runlog.sweep()` and `runlog.agent()` for clients (`{t: "sweep", method, args}`), one entry per
 * method. The agent runs in the bridge (core's `agent()`: trials taken from the store under its
 * lock, leases, early termination); each trial's function runs in the client, which asks for the
 * next trial (`agent_next`), polls whether to stop it (`agent_poll`) and says when it ended
 * (`agent_done`). The trial's environment goes to the client and is taken out of the bridge's
 * own, so other clients' runs on a shared bridge never become part of the sweep.
 */
type SweepCall = (context: SweepContext, args: Record<string, unknown>) => Promise<unknown>;

export interface SweepContext {
  readonly dir: string;
  readonly agents: Map<string, AgentSession>;
}

interface PendingTrial {
  readonly trial: { run_id: string; params: Record<string, unknown>; env: Record<string, string> };
  readonly signal: AbortSignal;
  readonly end: (error?: Error) => void;
}

export interface AgentSession {
  current: PendingTrial | undefined;
  /** Settles when core's agent() returns (done) or throws (its error goes to the client). */
  outcome: { done: boolean; error?: unknown };
  wake: () => void;
  changed: Promise<void>;
  /** The client's last request: one silent for CLIENT_GONE_MS has died, and its agent stops. */
  lastSeen: number;
  readonly stopAgent: AbortController;
}

/** How long `agent_next` waits before answering "wait" (the client asks again; it never blocks without bound). */
const NEXT_WAIT_MS = 2000;
const CLIENT_GONE_MS = 20_000;
const TRIAL_ENV = /^(RUNLOG|WANDB)_(SWEEP_ID|RUN_ID|SWEEP_PARAM_PATH|PROJECT|ENTITY|DIR)$/;

const text = (args: Record<string, unknown>, key: string): string | undefined => {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new RunlogError("INVALID_ARGUMENT", `${key} must be a string.`);
  return value;
};

function session(context: SweepContext, args: Record<string, unknown>): AgentSession {
  const found = context.agents.get(String(args.agent));
  if (found === undefined) throw new RunlogError("INVALID_ARGUMENT", `This bridge runs no agent ${JSON.stringify(args.agent)}.`);
  found.lastSeen = Date.now();
  return found;
}

function signalChange(agentSession: AgentSession): void {
  const wake = agentSession.wake;
  agentSession.changed = new Promise((resolve) => {
    agentSession.wake = resolve;
  });
  wake();
}

/** The trial's environment, moved out of the bridge process (core's agent set it for an in-process function). */
function takeTrialEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of Object.keys(process.env)) {
    if (!TRIAL_ENV.test(key)) continue;
    env[key] = process.env[key] as string;
    delete process.env[key];
  }
  return env;
}

let nextAgent = 0;

export const SWEEP_CALLS: Record<string, SweepCall> = {
  create: async (context, args) => ({
    id: await sweep(args.config, {
      dir: context.dir,
      ...(text(args, "project") ? { project: text(args, "project") } : {}),
      ...(text(args, "entity") ? { entity: text(args, "entity") } : {}),
    }),
  }),
  agent_start: async (context, args) => {
    const sweepId = text(args, "sweep_id");
    if (!sweepId) throw new RunlogError("INVALID_ARGUMENT", "agent needs a sweep_id.");
    const count = args.count === undefined || args.count === null ? undefined : args.count;
    const id = `agent-${process.pid}-${++nextAgent}`;
    const agentSession: AgentSession = {
      current: undefined,
      outcome: { done: false },
      wake: () => {},
      changed: Promise.resolve(),
      lastSeen: Date.now(),
      stopAgent: new AbortController(),
    };
    signalChange(agentSession);
    const watchdog = setInterval(() => {
      if (Date.now() - agentSession.lastSeen < CLIENT_GONE_MS) return;
      clearInterval(watchdog);
      agentSession.stopAgent.abort();
      agentSession.current?.end(new Error("the client running the trial's function went away"));
      context.agents.delete(id);
    }, 1000);
    watchdog.unref();
    const fn = ({ runId, params, signal }: FunctionTrial) =>
      new Promise<void>((resolve, reject) => {
        agentSession.current = {
          trial: { run_id: runId, params, env: takeTrialEnv() },
          signal,
          end: (error) => {
            agentSession.current = undefined;
            if (error) reject(error);
            else resolve();
          },
        };
        signalChange(agentSession);
      });
    context.agents.set(id, agentSession);
    agent(sweepId, {
      dir: context.dir,
      signal: agentSession.stopAgent.signal,
      ...(args.function === false ? {} : { fn }),
      ...(count === undefined ? {} : { count: count as number }),
      ...(text(args, "project") ? { project: text(args, "project") } : {}),
      ...(text(args, "entity") ? { entity: text(args, "entity") } : {}),
    }).then(
      () => {
        clearInterval(watchdog);
        agentSession.outcome = { done: true };
        signalChange(agentSession);
      },
      (error: unknown) => {
        clearInterval(watchdog);
        agentSession.outcome = { done: true, error };
        signalChange(agentSession);
      },
    );
    return { agent: id };
  },
  agent_next: async (context, args) => {
    const agentSession = session(context, args);
    const deadline = Date.now() + NEXT_WAIT_MS;
    while (agentSession.current === undefined && !agentSession.outcome.done) {
      const left = deadline - Date.now();
      if (left <= 0) return { wait: true };
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([agentSession.changed, new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
      clearTimeout(timer);
    }
    if (agentSession.current !== undefined) return { trial: agentSession.current.trial };
    context.agents.delete(String(args.agent));
    if (agentSession.outcome.error !== undefined) throw agentSession.outcome.error;
    return { done: true };
  },
  agent_poll: async (context, args) => ({ stop: session(context, args).current?.signal.aborted ?? false }),
  agent_done: async (context, args) => {
    const current = session(context, args).current;
    if (current === undefined) throw new RunlogError("INVALID_ARGUMENT", "agent_done: no trial of this agent is running.");
    current.end(args.ok === false ? new Error(String(args.error ?? "the trial's function raised")) : undefined);
    return {};
  },
};

export function handleSweep(context: SweepContext, method: string, args: Record<string, unknown>): Promise<unknown> {
  const call = Object.hasOwn(SWEEP_CALLS, method) ? SWEEP_CALLS[method] : undefined;
  if (call === undefined) return Promise.reject(new RunlogError("INVALID_ARGUMENT", `Unknown sweep method ${JSON.stringify(method)}.`));
  return Promise.resolve().then(() => call(context, args));
}
