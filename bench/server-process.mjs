// A runlog server in its own process, so benches measure its RSS and CPU alone (history-read, team):
// node server-process.mjs <dir> [postgres-url]. Prints {"url": …} once listening.
import { serve } from "../packages/server/dist/index.js";

const [dir, store] = process.argv.slice(2);
const server = await serve({ dir, ...(store ? { store } : {}), port: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
