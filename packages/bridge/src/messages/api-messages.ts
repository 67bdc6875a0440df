import { handleApi } from "../api-calls.js";
import type { MessageHandler } from "./message-context.js";

/** The read API (`runlog.Api`): needs no run. */
export const onApi: MessageHandler<"api"> = (message, at) =>
  at.reply(message.rid, handleApi(at.bridge.dir, message.method, message.args ?? {}));
