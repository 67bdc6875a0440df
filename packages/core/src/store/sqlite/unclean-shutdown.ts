import { existsSync } from "node:fs";
import { join } from "node:path";
import { RunlogError } from "../../errors.js";
import { hasLiveRunWriter } from "../../run/run-folder.js";
import { DB_FILE } from "./database.js";
import { checkStore } from "./store-check.js";

const soundStores = new Set<string>();

/**
 * The check after an unclean shutdown, for everything that opens the embedded store to read,
 * serve or write it (`new Api({ dir })`, `runlog ui`/`server`, `runlog sync`): a clean close of
 * the last connection removes `runlog.db-wal`, so a WAL with no live run writer beside it means a
 * process died with the store open. Then SQLite's quick_check runs once, and a damaged store is
 * refused with STORE_CORRUPT instead of answering wrong values. A live training process also
 * keeps a WAL: its store is not checked (its run lock says it is in use, not abandoned). A store
 * found sound is not checked again by this process (the embedded server opens two readers).
 */
export function refuseDamagedStore(root: string): void {
  const path = join(root, DB_FILE);
  if (soundStores.has(path) || !existsSync(`${path}-wal`) || hasLiveRunWriter(root)) return;
  const check = checkStore(path, { quick: true });
  if (check.problems.length === 0) {
    soundStores.add(path);
    return;
  }
  throw new RunlogError(
    "STORE_CORRUPT",
    `${path} is damaged (${check.problems.slice(0, 3).join("; ")}). Run \`runlog doctor --dir ${root}\`, then \`runlog sync --rebuild --dir ${root}\` to rebuild it from the runs' logs.`,
  );
}
