import { join } from "node:path";
import { initIn } from "../../test-support/runs.js";
import { tempRoot } from "../../test-support/temp-root.js";
import { describeStoreReaderContract } from "../../testing/store-reader-contract.js";
import { DB_FILE } from "./database.js";
import { SqliteReader } from "./sqlite-reader.js";

describeStoreReaderContract("embedded SQLite", async () => {
  const root = tempRoot();
  return {
    init: (options) => initIn(root, options),
    reader: () => new SqliteReader(join(root, DB_FILE)),
  };
});
