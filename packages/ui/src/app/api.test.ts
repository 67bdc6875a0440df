import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, canWrite, fileUrl, getJson, getText, patchJson, query, runPath } from "./api.ts";

// The dashboard's request logic without a browser: `fetch`, `sessionStorage` and `window.prompt` are
// scripted per case (the browser suite in packages/cli runs the same code against a real server).
interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}
let calls: Call[];
let answers: Response[];
let prompts: (string | null)[];
let storage: Map<string, string>;

beforeEach(() => {
  calls = [];
  answers = [];
  prompts = [];
  storage = new Map();
  vi.stubGlobal("fetch", async (url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) => {
    calls.push({ url, method: init.method ?? "GET", headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }) });
    const next = answers.shift();
    if (next === undefined) throw new Error(`unexpected request ${url}`);
    return next;
  });
  vi.stubGlobal("sessionStorage", {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => storage.set(key, value),
  });
  vi.stubGlobal("window", { prompt: () => (prompts.length === 0 ? null : prompts.shift()) });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("dashboard API client", () => {
  it("builds paths and queries with every segment encoded, and drops empty parameters", () => {
    const run = { entity: "a/b", project: "p q", id: "../x" };
    expect(runPath(run)).toBe("/runs/a%2Fb/p%20q/..%2Fx");
    expect(fileUrl(run, "media/images/a b#1.png")).toBe("api/v1/runs/a%2Fb/p%20q/..%2Fx/file/media/images/a%20b%231.png");
    expect(query({ key: "loss/train", limit: 10, from: undefined, xAxis: "" })).toBe("?key=loss%2Ftrain&limit=10");
    expect(query({})).toBe("");
  });

  it("lets a tab write only with a write key of the run's entity, or on a keyless server", () => {
    expect(canWrite(undefined, "lab")).toBe(false);
    expect(canWrite({ keyRequired: false, write: true, entity: null }, "lab")).toBe(true);
    expect(canWrite({ keyRequired: true, write: true, entity: "*" }, "lab")).toBe(true);
    expect(canWrite({ keyRequired: true, write: true, entity: "lab" }, "lab")).toBe(true);
    expect(canWrite({ keyRequired: true, write: true, entity: "other" }, "lab")).toBe(false);
    expect(canWrite({ keyRequired: true, write: false, entity: "lab" }, "lab")).toBe(false);
  });

  it("asks once for a key on 401, keeps it for the tab, sets the media cookie, and retries with it", async () => {
    prompts.push("k-123");
    answers.push(new Response("", { status: 401 }), new Response(null, { status: 204 }), json(200, { runs: 1 }));
    expect(await getJson("/projects")).toEqual({ runs: 1 });
    expect(calls.map((call) => [call.method, call.url, call.headers.authorization])).toEqual([
      ["GET", "api/v1/projects", undefined],
      ["POST", "api/v1/session", "Bearer k-123"],
      ["GET", "api/v1/projects", "Bearer k-123"],
    ]);
    // The next read sends the key at once.
    answers.push(json(200, []));
    await getJson("/projects");
    expect(calls.at(-1)?.headers.authorization).toBe("Bearer k-123");
  });

  it("turns a refusal into an ApiError with the server's code and message, or the status when the body is not JSON", async () => {
    answers.push(json(404, { code: "RUN_NOT_FOUND", message: "Run a/b/c was not found." }));
    await expect(getJson("/runs/a/b/c")).rejects.toMatchObject({ status: 404, code: "RUN_NOT_FOUND", message: "Run a/b/c was not found." });
    answers.push(new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    const failure = await getJson("/projects").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 502, code: "HTTP_ERROR", message: "502 Bad Gateway" });
    // A 401 the user does not answer is not retried.
    answers.push(new Response("", { status: 401 }));
    await expect(getJson("/projects")).rejects.toMatchObject({ status: 401 });
    expect(calls.length).toBe(3);
  });

  it("reads a file's full size from x-file-size when the text is a preview", async () => {
    answers.push(new Response("abc", { status: 200, headers: { "x-file-size": "1048576" } }));
    expect(await getText("/runs/e/p/r/file/output.log")).toEqual({ text: "abc", size: 1_048_576 });
    answers.push(new Response("abcd", { status: 200 }));
    expect(await getText("/runs/e/p/r/file/small.txt")).toEqual({ text: "abcd", size: 4 });
  });

  it("sends an edit as JSON, asks for a write key on 403 and retries; a refused edit carries the server's message", async () => {
    prompts.push("w-1");
    answers.push(json(403, { code: "UNAUTHORIZED", message: "read key" }), json(200, { tags: ["a"] }));
    expect(await patchJson("/runs/e/p/r", { tags: ["a"] })).toEqual({ tags: ["a"] });
    expect(calls.map((call) => [call.method, call.headers.authorization, call.headers["content-type"], call.body])).toEqual([
      ["PATCH", undefined, "application/json", '{"tags":["a"]}'],
      ["PATCH", "Bearer w-1", "application/json", '{"tags":["a"]}'],
    ]);
    answers.push(json(400, { code: "INVALID_ARGUMENT", message: "tags must be at most 100" }));
    await expect(patchJson("/runs/e/p/r", { tags: [] })).rejects.toMatchObject({ status: 400, code: "INVALID_ARGUMENT" });
  });
});
