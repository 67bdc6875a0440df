import { onApi } from "./api-messages.js";
import { onLogArtifact, onLogModel, onUpload, onUseArtifact } from "./artifact-messages.js";
import { onHeartbeat, onHello } from "./connection-messages.js";
import type { MessageHandler, MessageKind } from "./message-context.js";
import { onCall, onFinish, onInit, onRecords, onSave } from "./run-messages.js";
import { onSweep } from "./sweep-messages.js";

/**
 * Every client message kind and its handler (PROTOCOL.md lists the kinds). A new kind is a line
 * in `ClientMessage` (protocol.ts), a handler in its own file under messages/, and a line here:
 * the mapped type makes a kind without a handler a type error.
 */
export const MESSAGE_HANDLERS: { readonly [K in MessageKind]: MessageHandler<K> } = {
  hello: onHello,
  heartbeat: onHeartbeat,
  init: onInit,
  records: onRecords,
  finish: onFinish,
  save: onSave,
  call: onCall,
  api: onApi,
  upload: onUpload,
  log_artifact: onLogArtifact,
  log_model: onLogModel,
  use_artifact: onUseArtifact,
  sweep: onSweep,
};
