// A bridge in its own process, so a test can kill -9 it. argv: endpoint, dir. Prints "listening".
import { startBridge } from "@runlog/bridge";

const bridge = await startBridge({ endpoint: process.argv[2], dir: process.argv[3], log: () => {} });
console.log(`listening on ${bridge.endpoint}`);
process.on("SIGTERM", async () => {
  await bridge.close();
  process.exit(0);
});
