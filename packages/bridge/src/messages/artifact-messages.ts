import { handleLogArtifact, handleLogModel, handleUpload, handleUseArtifact } from "../artifact-handlers.js";
import { inSession, type MessageHandler } from "./message-context.js";

export const onUpload: MessageHandler<"upload"> = (message, at) =>
  at.reply(
    message.rid,
    inSession(at, message.run, (session) => handleUpload(session, message)),
  );

export const onLogArtifact: MessageHandler<"log_artifact"> = (message, at) =>
  at.reply(
    message.rid,
    inSession(at, message.run, (session) => handleLogArtifact(session, message)),
  );

export const onLogModel: MessageHandler<"log_model"> = (message, at) =>
  at.reply(
    message.rid,
    inSession(at, message.run, (session) => handleLogModel(session, message)),
  );

export const onUseArtifact: MessageHandler<"use_artifact"> = (message, at) =>
  at.reply(
    message.rid,
    inSession(at, message.run, (session) => handleUseArtifact(session, message)),
  );
