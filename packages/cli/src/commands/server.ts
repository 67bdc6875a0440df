import { RunlogError } from "@runlog/core";
import { openServerStore, parseAllowedHosts, serve } from "@runlog/server";
import type { Out } from "../command.js";
import { resolveRoot, storeToRead } from "../store-dir.js";
import { parseCommandArgs, UsageError } from "../usage.js";

export const SERVER_HELP = `Usage: runlog server [--store postgres://user:pass@host/db] [--artifacts s3://bucket/prefix [--artifacts-endpoint URL]]
                     [--dir ./runlog] [--host 127.0.0.1] [--port 8080] [--require-keys] [--rate-limit 200] [--api-key KEY]
                     [--allowed-hosts name,name] [--trust-proxy]
       runlog server keys create --entity NAME|* --scope read|write [--description TEXT] [--store URL | --dir DIR]
       runlog server keys list [--store URL | --dir DIR]
       runlog server keys revoke <id> [--store URL | --dir DIR]

  The team server: the API, ingestion for online runs (init({ mode: "online", baseUrl, apiKey })),
  and the dashboard. With --store it keeps everything in PostgreSQL (migrated on start; run
  several instances behind a load balancer); without it, it serves the embedded store in --dir.
  --artifacts keeps run files (media, saved files) in an S3-compatible bucket (credentials from
  the usual AWS_* variables); without it they go to a folder under --dir.
  Binds 127.0.0.1 by default; any other host needs API keys. Without keys it answers only to
  localhost, 127.x, [::1] and the bound host: --allowed-hosts (or RUNLOG_ALLOWED_HOSTS) names
  more host names, e.g. one a reverse proxy forwards. Behind a load balancer, --trust-proxy takes
  client addresses from X-Forwarded-For (failed key checks are rate-limited per client address).
  The store URL may also come from
  RUNLOG_STORE_URL, so the password stays out of the process list.`;

const KEY_OPTIONS = {
  store: { type: "string" },
  dir: { type: "string" },
  entity: { type: "string" },
  scope: { type: "string" },
  description: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

async function keysCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseCommandArgs({ args, allowPositionals: true, options: KEY_OPTIONS });
  const [action, id] = positionals;
  if (values.help) {
    out(SERVER_HELP);
    return 0;
  }
  if (action === undefined) throw new UsageError("say what to do with keys: create, list or revoke");
  if (!["create", "list", "revoke"].includes(action))
    throw new UsageError(`unknown keys action "${action.slice(0, 40)}": use create, list or revoke`);
  if (action === "create" && (values.entity === undefined || values.scope === undefined))
    throw new UsageError("keys create needs --entity (a name, or * for all) and --scope (read or write)");
  if (action === "revoke" && id === undefined) throw new UsageError("keys revoke needs the key's id (see `runlog server keys list`)");
  const store = await openServerStore({
    dir: resolveRoot(values.dir),
    store: values.store ?? process.env.RUNLOG_STORE_URL,
  });
  try {
    if (action === "create") {
      const { key, info } = await store.keys.create({
        entity: values.entity as string,
        scope: values.scope as "read" | "write",
        description: values.description ?? "",
      });
      out(`created key ${info.id} (${info.scope} on ${info.entity}). It is shown only once:`);
      out(key);
    } else if (action === "list") {
      for (const k of await store.keys.list()) {
        const state = k.revokedAt === undefined ? "live" : `revoked ${new Date(k.revokedAt * 1000).toISOString()}`;
        out(`${k.id}  ${k.scope.padEnd(5)}  ${k.entity}  ${state}  ${k.description}`);
      }
    } else if (id !== undefined) {
      if (!(await store.keys.revoke(id)))
        throw new RunlogError("INVALID_ARGUMENT", `No live key with id ${JSON.stringify(id.slice(0, 40))}.`);
      out(`revoked key ${id}`);
    }
  } finally {
    await store.close();
  }
  return 0;
}

export async function serverCommand(args: string[], out: Out, err: Out): Promise<number> {
  if (args[0] === "keys") return keysCommand(args.slice(1), out);
  return serveUntilStopped(args, out, err, { name: "runlog server", defaultPort: 8080, help: SERVER_HELP });
}

/** `runlog server` and `runlog ui`: one server, different defaults and help. */
export async function serveUntilStopped(
  args: string[],
  out: Out,
  err: Out,
  command: { name: string; defaultPort: number; help: string },
): Promise<number> {
  const { values } = parseCommandArgs({
    args,
    options: {
      store: { type: "string" },
      artifacts: { type: "string" },
      "artifacts-endpoint": { type: "string" },
      dir: { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      "api-key": { type: "string" },
      "require-keys": { type: "boolean" },
      "rate-limit": { type: "string" },
      "allowed-hosts": { type: "string" },
      "trust-proxy": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(command.help);
    return 0;
  }
  const port = Number(values.port ?? command.defaultPort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(values.port)}`);
  }
  const rateLimit = values["rate-limit"] === undefined ? undefined : Number(values["rate-limit"]);
  if (rateLimit !== undefined && !(rateLimit >= 0)) throw new UsageError("--rate-limit must be requests per second (0 = off)");
  const store = values.store ?? process.env.RUNLOG_STORE_URL;
  // The embedded store: a root with no store yet is said out loud (runs appear once one logs there).
  const dir =
    store === undefined
      ? storeToRead(values.dir, err, command.name.replace(/^runlog /, ""), "an empty one is made there, and runs show once one logs there")
          .root
      : resolveRoot(values.dir);
  const server = await listenOn(port, () =>
    serve({
      dir,
      port,
      ...(store === undefined ? {} : { store }),
      ...(values.artifacts === undefined ? {} : { artifacts: values.artifacts }),
      ...(values["artifacts-endpoint"] === undefined ? {} : { artifactsEndpoint: values["artifacts-endpoint"] }),
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values["api-key"] === undefined ? {} : { apiKey: values["api-key"] }),
      ...(values["require-keys"] ? { requireKeys: true } : {}),
      ...(rateLimit === undefined ? {} : { rateLimit }),
      ...(values["allowed-hosts"] === undefined ? {} : { allowedHosts: parseAllowedHosts(values["allowed-hosts"]) }),
      ...(values["trust-proxy"] ? { trustProxy: true } : {}),
    }),
  );
  out(`${command.name}: ${server.store.kind} store, dashboard at ${server.url}/ (API under /api/v1; Ctrl-C to stop)`);
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await server.close();
  return 0;
}

/** A busy port is the user's to change: say which and how, instead of Node's EADDRINUSE. */
async function listenOn<T>(port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if ((error as { code?: unknown }).code === "EADDRINUSE")
      throw new UsageError(`port ${port} is already in use: pass --port <another port> (or --port 0 for any free one)`);
    throw error;
  }
}
