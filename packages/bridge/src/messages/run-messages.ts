import { handleFinish, handleInit, handleRecords, handleSave } from "../handlers.js";
import { handleCall } from "../run-calls.js";
import { inSession, type MessageHandler } from "./message-context.js";

export const onInit: MessageHandler<"init"> = (message, at) => at.reply(message.rid, handleInit(at.bridge, message.options, at.peer));

/** Acks every batch; refused records come back as RECORD_REJECTED errors (at most 3 per batch, then a count). */
export const onRecords: MessageHandler<"records"> = (message, at) => {
  const session = at.session;
  if (session === undefined) {
    at.send({
      t: "error",
      code: "UNKNOWN_RUN",
      message: `This bridge hosts no run ${message.run}; init it again with id and resume "must".`,
      run: message.run,
    });
    return;
  }
  const { seq, errors } = handleRecords(session, message);
  errors.push(...session.lateErrors.splice(0));
  at.send({ t: "ack", run: message.run, seq });
  for (const error of errors.slice(0, 3)) at.send({ t: "error", code: "RECORD_REJECTED", message: error, run: message.run });
  if (errors.length > 3) {
    at.send({ t: "error", code: "RECORD_REJECTED", message: `and ${errors.length - 3} more records of this batch`, run: message.run });
  }
};

export const onFinish: MessageHandler<"finish"> = (message, at) =>
  at.reply(
    message.rid,
    inSession(at, message.run, (session) => handleFinish(at.bridge, session, Number(message.exit_code ?? 0))),
  );

export const onSave: MessageHandler<"save"> = (message, at) =>
  at.reply(
    message.rid,
    inSession(at, message.run, (session) => handleSave(session, message.path, message.base_path)),
  );

export const onCall: MessageHandler<"call"> = (message, at) =>
  at.reply(
    message.rid,
    inSession(at, message.run, (session) => handleCall(at.bridge.dir, session, message.method, message.args ?? {})),
  );
