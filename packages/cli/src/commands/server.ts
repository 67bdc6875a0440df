import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { RunlogError } from "@runlog/core";
import { openServerStore, parseAllowedHosts, serve } from "@runlog/server";

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

async function keysCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: KEY_OPTIONS });
  const [action, id] = positionals;
  if (values.help || action === undefined) {
    out(SERVER_HELP);
    return values.help ? 0 : 2;
  }
  const store = await openServerStore({
    dir: resolve(values.dir ?? process.env.RUNLOG_DIR ?? "./runlog"),
    store: values.store ?? process.env.RUNLOG_STORE_URL,
  });
  try {
    if (action === "create") {
      if (values.entity === undefined || values.scope === undefined) {
        throw new RunlogError("INVALID_ARGUMENT", "keys create needs --entity (a name, or * for all) and --scope (read or write).");
      }
      const { key, info } = await store.keys.create({
        entity: values.entity,
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
    } else if (action === "revoke") {
      if (id === undefined) throw new RunlogError("INVALID_ARGUMENT", "keys revoke needs the key's id (see `runlog server keys list`).");
      if (!(await store.keys.revoke(id)))
        throw new RunlogError("INVALID_ARGUMENT", `No live key with id ${JSON.stringify(id.slice(0, 40))}.`);
      out(`revoked key ${id}`);
    } else {
      throw new RunlogError("INVALID_ARGUMENT", `Unknown keys action ${JSON.stringify(action.slice(0, 40))}: use create, list or revoke.`);
    }
  } finally {
    await store.close();
  }
  return 0;
}

export async function serverCommand(args: string[], out: (line: string) => void): Promise<number> {
  if (args[0] === "keys") return keysCommand(args.slice(1), out);
  return serveUntilStopped(args, out, { name: "runlog server", defaultPort: 8080, help: SERVER_HELP });
}

/** `runlog server` and `runlog ui`: one server, different defaults and help. */
export async function serveUntilStopped(
  args: string[],
  out: (line: string) => void,
  command: { name: string; defaultPort: number; help: string },
): Promise<number> {
  const { values } = parseArgs({
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
    throw new RunlogError("INVALID_ARGUMENT", `--port must be an integer from 0 to 65535, got ${JSON.stringify(values.port)}.`);
  }
  const rateLimit = values["rate-limit"] === undefined ? undefined : Number(values["rate-limit"]);
  if (rateLimit !== undefined && !(rateLimit >= 0))
    throw new RunlogError("INVALID_ARGUMENT", "--rate-limit must be requests per second (0 = off).");
  const store = values.store ?? process.env.RUNLOG_STORE_URL;
  const server = await serve({
    dir: resolve(values.dir ?? process.env.RUNLOG_DIR ?? "./runlog"),
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
  });
  out(`${command.name}: ${server.store.kind} store, dashboard at ${server.url}/ (API under /api/v1; Ctrl-C to stop)`);
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await server.close();
  return 0;
}
