// Moved to the private workspace package @runlog/test-support (packages/test-support); this path
// stays so tests written against it keep compiling.
export * from "@runlog/test-support/artifact-ids";
