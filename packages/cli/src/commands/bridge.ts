import { mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { startBridge } from "@runlog/bridge";
import { curveKeyPair } from "zeromq";
import type { Out } from "../command.js";
import { resolveRoot } from "../store-dir.js";
import { parseCommandArgs, UsageError } from "../usage.js";

export const BRIDGE_HELP = `Usage: runlog bridge [--endpoint tcp://127.0.0.1:5555 | ipc:///path] [--dir ./runlog]
                     [--curve-secret Z85 --curve-public Z85 --curve-allow KEY1,KEY2] [--crash-timeout SECONDS]
                     [--ipc-dir DIR] [--exit-with-stdin] [--idle-exit SECONDS]
       runlog bridge keys

  Hosts runs for Python (and other) clients over ZeroMQ until Ctrl-C (packages/bridge/PROTOCOL.md).
  Loopback and ipc endpoints need nothing more; any other interface needs CURVE keys and an
  allow-list of client public keys. \`runlog bridge keys\` prints a new key pair.

  For launchers (the Python client starts its bridge this way):
  --ipc-dir DIR       listen on ipc in a new private (0700) folder inside DIR, removed on exit
  --exit-with-stdin   stop when stdin closes: the process that started the bridge is gone, even if killed
  --idle-exit SECS    stop once no client has been connected for SECS (a bridge shared by scripts)`;

export async function bridgeCommand(args: string[], out: Out, _err: Out): Promise<number> {
  if (args[0] === "keys") {
    const { publicKey, secretKey } = curveKeyPair();
    out(`public ${publicKey}\nsecret ${secretKey}`);
    return 0;
  }
  const { values } = parseCommandArgs({
    args,
    options: {
      endpoint: { type: "string" },
      dir: { type: "string" },
      "curve-secret": { type: "string" },
      "curve-public": { type: "string" },
      "curve-allow": { type: "string" },
      "crash-timeout": { type: "string" },
      "ipc-dir": { type: "string" },
      "exit-with-stdin": { type: "boolean" },
      "idle-exit": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(BRIDGE_HELP);
    return 0;
  }
  const crashTimeout = values["crash-timeout"] === undefined ? undefined : Number(values["crash-timeout"]);
  if (crashTimeout !== undefined && !(crashTimeout > 0)) {
    throw new UsageError(`--crash-timeout must be a positive number of seconds, got ${JSON.stringify(values["crash-timeout"])}`);
  }
  const idleExit = values["idle-exit"] === undefined ? undefined : Number(values["idle-exit"]);
  if (idleExit !== undefined && !(idleExit >= 0)) {
    throw new UsageError(`--idle-exit must be a number of seconds, got ${JSON.stringify(values["idle-exit"])}`);
  }
  if (values["ipc-dir"] !== undefined && values.endpoint !== undefined) {
    throw new UsageError("--ipc-dir and --endpoint both say where to listen; pass one");
  }
  const secret = values["curve-secret"] ?? process.env.RUNLOG_BRIDGE_CURVE_SECRET;
  if (secret !== undefined && values["curve-public"] === undefined) {
    throw new UsageError("--curve-secret needs --curve-public (the pair printed by `runlog bridge keys`)");
  }
  // mkdtemp makes the folder 0700 under a name nobody can guess: only this user reaches the socket.
  const folder = values["ipc-dir"] === undefined ? undefined : mkdtempSync(join(resolve(values["ipc-dir"]), "bridge-"));
  const endpoint = folder === undefined ? values.endpoint : `ipc://${join(folder, "bridge.sock")}`;
  try {
    return await serve(endpoint, values, { crashTimeout, idleExit, secret }, out);
  } finally {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  }
}

async function serve(
  endpoint: string | undefined,
  values: Record<string, string | boolean | undefined>,
  { crashTimeout, idleExit, secret }: { crashTimeout: number | undefined; idleExit: number | undefined; secret: string | undefined },
  out: Out,
): Promise<number> {
  const bridge = await startBridge({
    ...(endpoint === undefined ? {} : { endpoint }),
    dir: resolveRoot(values.dir as string | undefined),
    ...(idleExit === undefined ? {} : { idleTimeoutMs: idleExit * 1000 }),
    ...(crashTimeout === undefined ? {} : { crashTimeoutMs: crashTimeout * 1000 }),
    ...(secret === undefined
      ? {}
      : {
          curve: {
            secretKey: secret,
            publicKey: values["curve-public"] as string,
            allow: String(values["curve-allow"] ?? "")
              .split(",")
              .filter(Boolean),
          },
        }),
  });
  out(`runlog bridge: listening on ${bridge.endpoint} (Ctrl-C to stop)`);
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
    void bridge.closed.then(done);
    if (values["exit-with-stdin"]) process.stdin.on("close", done).on("end", done).resume();
  });
  await bridge.close();
  if (values["exit-with-stdin"]) process.stdin.destroy();
  return 0;
}
