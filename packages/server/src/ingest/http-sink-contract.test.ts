import { join } from "node:path";
import { HttpSink, IngestClient } from "@runlog/core/store-kit";
import { describeSinkContract } from "@runlog/core/testing";
import { tempRoot } from "@runlog/test-support/temp-root";
import { serverKinds } from "../test-support/server-kinds.js";

// Online mode's sink, over each kind of server: the same contract as the embedded store's sink.
for (const [kind, start] of serverKinds()) {
  describeSinkContract(`online (HttpSink) to a ${kind} server`, async () => {
    const server = await start();
    const client = new IngestClient(server.url, undefined);
    return {
      open: async (address) => new HttpSink(client, address, 30, () => {}, 5_000, join(tempRoot(), "files")),
    };
  });
}
