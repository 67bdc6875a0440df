import { pack, unpack } from "msgpackr";
import { Dealer } from "zeromq";

/** A protocol-level client in Node (a real DEALER socket) for tests that need exact control of frames. */
export class TestClient {
  readonly socket: Dealer;
  readonly #inbox: Record<string, unknown>[] = [];
  #waiters: (() => void)[] = [];
  #rid = 0;

  constructor(endpoint: string, options: ConstructorParameters<typeof Dealer>[0] = {}) {
    const socket = new Dealer({ linger: 0, ...options });
    socket.connect(endpoint);
    this.socket = socket;
    void (async () => {
      try {
        for await (const [frame] of socket) {
          this.#inbox.push(unpack(frame as Buffer) as Record<string, unknown>);
          for (const wake of this.#waiters.splice(0)) wake();
        }
      } catch {}
    })();
  }

  async send(message: Record<string, unknown> | Buffer): Promise<void> {
    await this.socket.send(Buffer.isBuffer(message) ? message : pack({ v: 1, ...message }));
  }

  /** The next message matching `match`, within `timeoutMs`. */
  async next(match: (message: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.#inbox.findIndex(match);
      if (index >= 0) return this.#inbox.splice(index, 1)[0] as Record<string, unknown>;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("no matching message from the bridge");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async request(message: Record<string, unknown>, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const rid = ++this.#rid;
    await this.send({ ...message, rid });
    return this.next((m) => m.t === "reply" && m.rid === rid, timeoutMs);
  }

  close(): void {
    this.socket.close();
  }
}
