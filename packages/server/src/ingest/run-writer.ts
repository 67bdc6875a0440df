// The contract lives in core's store-kit, beside its shared suite (`@runlog/core/testing`).
export type { RunAddress, RunWriter } from "@runlog/core/store-kit";
