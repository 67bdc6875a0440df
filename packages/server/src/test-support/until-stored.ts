import { Api, RunlogError } from "@runlog/core";

/**
 * Waits until the embedded store at `dir` holds each run (`entity/project/id`). A live run's
 * records reach the store from its worker thread after init returns, so a reader started right
 * after init may not see the run yet; tests that read a live run start once it is there.
 */
export async function untilStored(dir: string, paths: readonly string[], timeoutMs = 30_000): Promise<void> {
  const api = new Api({ dir });
  const deadline = Date.now() + timeoutMs;
  for (const path of paths) {
    for (;;) {
      try {
        await api.run(path);
        break;
      } catch (error) {
        if (!(error instanceof RunlogError) || error.code !== "RUN_NOT_FOUND") throw error;
        if (Date.now() > deadline) throw new Error(`${path} did not reach the store at ${dir} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }
}
