import { startBridge } from "@runlog/bridge";
import { curveKeyPair } from "zeromq";
import type { Out } from "../command.js";
import { resolveRoot } from "../store-dir.js";
import { parseCommandArgs, UsageError } from "../usage.js";

export const BRIDGE_HELP = `Usage: runlog bridge [--endpoint tcp://127.0.0.1:5555 | ipc:///path] [--dir ./runlog]
                     [--curve-secret Z85 --curve-public Z85 --curve-allow KEY1,KEY2] [--crash-timeout SECONDS]
       runlog bridge keys

  Hosts runs for Python (and other) clients over ZeroMQ until Ctrl-C (packages/bridge/PROTOCOL.md).
  Loopback and ipc endpoints need nothing more; any other interface needs CURVE keys and an
  allow-list of client public keys. \`runlog bridge keys\` prints a new key pair.`;

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
  const secret = values["curve-secret"] ?? process.env.RUNLOG_BRIDGE_CURVE_SECRET;
  if (secret !== undefined && values["curve-public"] === undefined) {
    throw new UsageError("--curve-secret needs --curve-public (the pair printed by `runlog bridge keys`)");
  }
  const bridge = await startBridge({
    ...(values.endpoint === undefined ? {} : { endpoint: values.endpoint }),
    dir: resolveRoot(values.dir),
    ...(crashTimeout === undefined ? {} : { crashTimeoutMs: crashTimeout * 1000 }),
    ...(secret === undefined
      ? {}
      : {
          curve: {
            secretKey: secret,
            publicKey: values["curve-public"] as string,
            allow: (values["curve-allow"] ?? "").split(",").filter(Boolean),
          },
        }),
  });
  out(`runlog bridge: listening on ${bridge.endpoint} (Ctrl-C to stop)`);
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await bridge.close();
  return 0;
}
