import { join } from "node:path";
import { tempRoot } from "../../test-support/temp-root.js";
import { describeSinkContract } from "../../testing/sink-contract.js";
import { DB_FILE } from "./database.js";
import { SqliteSink } from "./sqlite-sink.js";

// The embedded store's sink: records go to the store through its worker thread.
describeSinkContract("embedded SQLite (SqliteSink)", async () => {
  const dbPath = join(tempRoot(), DB_FILE);
  return { open: async () => new SqliteSink(dbPath, 30) };
});
