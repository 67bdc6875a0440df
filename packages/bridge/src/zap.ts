import { type Context, Router } from "zeromq";

/**
 * A ZAP handler (RFC 27) in the bridge's context: CURVE clients whose public key is not on the
 * allow-list are refused. Without a handler libzmq would accept any client that knows the
 * bridge's public key.
 */
export async function startZapHandler(context: Context, allow: readonly string[], log: (line: string) => void): Promise<{ close(): void }> {
  const { z85Decode } = await import("./z85.js");
  const allowed = new Set(allow.map((key) => Buffer.from(z85Decode(key)).toString("hex")));
  const handler = new Router({ context, linger: 0 });
  await handler.bind("inproc://zeromq.zap.01");
  void (async () => {
    for await (const frames of handler) {
      // [routing id, empty delimiter, version, request id, domain, address, identity, mechanism, credentials…]
      const [peer, delimiter, version, requestId, , address, , mechanism, key] = frames as Buffer[];
      const ok = mechanism?.toString() === "CURVE" && key !== undefined && allowed.has(key.toString("hex"));
      if (!ok) log(`refused a ${mechanism?.toString() ?? "?"} client from ${address?.toString() ?? "?"}: its key is not on the allow-list`);
      await handler
        .send([
          peer as Buffer,
          delimiter as Buffer,
          version as Buffer,
          requestId as Buffer,
          ok ? "200" : "400",
          ok ? "OK" : "key not allowed",
          ok ? "client" : "",
          "",
        ])
        .catch(() => {});
    }
  })();
  return { close: () => handler.close() };
}
