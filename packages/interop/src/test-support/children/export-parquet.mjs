// Exports a run as Parquet in a process of its own (the test bounds its heap): argv root, path, out.
import { exportParquet } from "@runlog/interop";

const [root, path, out] = process.argv.slice(2);
console.log(await exportParquet(path, { dir: root, out }));
