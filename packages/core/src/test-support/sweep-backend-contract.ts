// Moved to `@runlog/core/testing` (src/testing/); this path stays so tests written against it keep compiling.
export * from "../testing/sweep-backend-contract.js";
