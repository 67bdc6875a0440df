// A runlog server in its own process, so a test can kill -9 it: node serve-child.mjs <store> <port> <dir>
import { serve } from "../../dist/index.js";

const [store, port, dir] = process.argv.slice(2);
const server = await serve({ store, port: Number(port), dir });
process.stdout.write(`listening ${server.url}\n`);
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
