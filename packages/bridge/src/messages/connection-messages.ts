import type { MessageHandler } from "./message-context.js";

/** `hello` → `welcome`: the protocol version and the largest message this bridge takes. */
export const onHello: MessageHandler<"hello"> = (_message, at) =>
  at.send({ t: "welcome", protocol: 1, max_message_bytes: at.maxMessageBytes });

/** A heartbeat only refreshes the session's last contact (done for every message before dispatch). */
export const onHeartbeat: MessageHandler<"heartbeat"> = () => {};
