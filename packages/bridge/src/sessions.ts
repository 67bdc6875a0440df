import type { Run } from "@runlog/core";
import type { LogRowReader } from "./log-row-reader.js";

/** One Python run hosted by the bridge. */
export interface Session {
  readonly run: Run;
  /** The ROUTER identity of the client that owns it (updated when the client reconnects). */
  peer: Buffer;
  /** Highest batch sequence number applied (and durable in the run's transaction log). */
  lastSeq: number;
  lastSeen: number;
  /** Milliseconds of silence after which the run is marked crashed. */
  readonly crashTimeoutMs: number;
  /** Decodes this run's flat scalar rows (its key cache follows the run's layout). */
  rowReader?: LogRowReader;
  /** Failures of work a record started (an alert's delivery), reported with the next ack. */
  lateErrors: string[];
  /** The client's git facts being read (after init answered); finish waits for them. */
  gitMetadata?: Promise<void>;
}

export class Sessions {
  readonly #byRun = new Map<string, Session>();

  get(runId: string): Session | undefined {
    return this.#byRun.get(runId);
  }

  add(session: Session): void {
    this.#byRun.set(session.run.id, session);
  }

  delete(runId: string): void {
    this.#byRun.delete(runId);
  }

  /** Sessions whose client has been silent for longer than its crash timeout. */
  silent(now: number): Session[] {
    return [...this.#byRun.values()].filter((session) => now - session.lastSeen > session.crashTimeoutMs);
  }

  all(): Session[] {
    return [...this.#byRun.values()];
  }
}
