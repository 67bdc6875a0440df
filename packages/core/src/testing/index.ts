/**
 * `@runlog/core/testing`: the shared contract suites (Vitest) that every implementation of a
 * core contract runs from its own test file — core's stores and sinks, the server's writers, the
 * framework adapters, and any third-party store or watcher. Each `describe…Contract(name, open)`
 * registers one `describe` block; `vitest` is an optional peer dependency of `@runlog/core`.
 */

export { describeModelWatcherContract, type WatchedModelUnderTest } from "./model-watcher-contract.js";
export { describeObjectStoreContract } from "./object-store-contract.js";
export { describeRunWriterContract } from "./run-writer-contract.js";
export { describeSinkContract, type SinkUnderTest } from "./sink-contract.js";
export { describeStoreReaderContract, type StoreUnderTest } from "./store-reader-contract.js";
export { describeSweepBackendContract, grid, type SweepStoreUnderTest } from "./sweep-backend-contract.js";
