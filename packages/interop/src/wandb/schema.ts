import protobuf from "protobufjs";
import schema from "../schemas/wandb.json" with { type: "json" };

/** W&B's `wandb_internal.Record`, from the descriptor the installed wandb carries (scripts/generate-schemas.mjs). */
export const WandbRecord = protobuf.Root.fromJSON(schema.root as protobuf.INamespace).lookupType("wandb_internal.Record");

export const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: false, oneofs: true };
