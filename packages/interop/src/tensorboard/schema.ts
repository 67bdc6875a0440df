import protobuf from "protobufjs";
import schema from "../schemas/tensorboard.json" with { type: "json" };

/** TensorBoard's `Event` and the hparams plugin data, from the descriptors tensorboard ships (scripts/generate-schemas.mjs). */
const root = protobuf.Root.fromJSON(schema.root as protobuf.INamespace);
export const TfEvent = root.lookupType("tensorboard.Event");
export const HParamsPluginData = root.lookupType("tensorboard.hparams.HParamsPluginData");

export const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, bytes: Buffer, defaults: false, oneofs: true };
