import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./verdaccio-child.mjs", import.meta.url));

export interface LocalRegistry {
  readonly url: string;
  /** An npmrc that points npm at this registry with a publish token. */
  readonly npmrc: string;
  close(): Promise<void>;
}

/**
 * A real npm registry (verdaccio) on loopback with its storage under `dir`. Our packages are
 * served only from what we publish; everything else is proxied from the public registry.
 */
export async function startLocalRegistry(dir: string): Promise<LocalRegistry> {
  mkdirSync(join(dir, "storage"), { recursive: true });
  const config = join(dir, "config.yaml");
  const own = "    access: $all\n    publish: $all\n";
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(join(dir, "storage"))}`,
      "auth:",
      "  htpasswd:",
      `    file: ${JSON.stringify(join(dir, "htpasswd"))}`,
      "uplinks:",
      "  npmjs:",
      "    url: https://registry.npmjs.org/",
      "    timeout: 120s",
      // One slow answer from the public registry must not mark it offline for verdaccio's default
      // 5 minutes (every later install would then get 404s): retry it at once instead.
      "    max_fails: 20",
      "    fail_timeout: 2s",
      "packages:",
      "  '@runlog/*':",
      own,
      "  'runlog':",
      own,
      "  '**':",
      "    access: $all",
      "    proxy: npmjs",
      "log: { type: stdout, format: json, level: error }",
      "",
    ].join("\n"),
  );
  const child = spawn(process.execPath, ["--no-warnings", CHILD, config], { stdio: ["ignore", "pipe", "pipe"] });
  const port = await listening(child);
  const url = `http://127.0.0.1:${port}/`;
  const token = await addUser(url);
  const npmrc = join(dir, "npmrc");
  // The user's own npm settings stay (a CA file, nodedir for native builds); the registry is ours.
  const userNpmrc = process.env.npm_config_userconfig ?? join(homedir(), ".npmrc");
  const base = existsSync(userNpmrc) ? `${readFileSync(userNpmrc, "utf8")}\n` : "";
  writeFileSync(
    npmrc,
    `${base}registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\nfund=false\naudit=false\nupdate-notifier=false\n`,
  );
  return {
    url,
    npmrc,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

function listening(child: ChildProcess): Promise<number> {
  let stdout = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
      const match = /\{"port":(\d+)\}/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`verdaccio exited (${code}) before listening:\n${stderr.slice(-2000)}`)));
  });
}

/** Creates a throwaway user through the registry's CouchDB-style API, as `npm adduser` does. */
async function addUser(url: string): Promise<string> {
  const name = `consumer${process.pid}`;
  const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password: "consumer-test-password", email: "consumer@example.invalid", type: "user" }),
  });
  const body = (await response.json()) as { token?: string };
  if (!response.ok || body.token === undefined)
    throw new Error(`registry refused the test user: ${response.status} ${JSON.stringify(body)}`);
  return body.token;
}
