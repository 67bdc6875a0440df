import { Api, type InitOptions, type Run } from "@runlog/core";

/**
 * The batch sequence number a previous bridge made durable with the run's data (metadata
 * `bridge.seq`), read where that data lives: the team server for an online run (a bridge restarted
 * on another machine has none of it locally), the bridge's own store otherwise. The seq travels in
 * the run's log with the rows it covers, so the server never holds a seq ahead of its rows.
 */
export async function storedSeq(dir: string, run: Run, options: InitOptions): Promise<number> {
  const online = (options.mode ?? process.env.RUNLOG_MODE) === "online";
  const api = online
    ? new Api({ baseUrl: options.baseUrl ?? process.env.RUNLOG_BASE_URL, apiKey: options.apiKey ?? process.env.RUNLOG_API_KEY })
    : new Api({ dir });
  try {
    const stored = await api.run(run.path);
    const seq = (stored.metadata.bridge as { seq?: unknown } | undefined)?.seq;
    return typeof seq === "number" ? seq : 0;
  } finally {
    api.close();
  }
}
