import { describe, expect, it } from "vitest";
import { parseEndpoint } from "./index.js";

describe("parseEndpoint", () => {
  it("parses loopback tcp and ipc endpoints", () => {
    expect(parseEndpoint("tcp://127.0.0.1:5555")).toEqual({ kind: "tcp", host: "127.0.0.1", port: 5555, loopback: true });
    expect(parseEndpoint("tcp://[::1]:9000")).toEqual({ kind: "tcp", host: "::1", port: 9000, loopback: true });
    expect(parseEndpoint("ipc:///tmp/runlog.sock")).toEqual({ kind: "ipc", path: "/tmp/runlog.sock", loopback: true });
    expect(parseEndpoint("tcp://127.0.0.1:0")).toEqual({ kind: "tcp", host: "127.0.0.1", port: 0, loopback: true }); // any free port
  });

  it("marks other interfaces as non-loopback", () => {
    expect(parseEndpoint("tcp://0.0.0.0:5555").loopback).toBe(false);
  });

  it("rejects malformed endpoints", () => {
    for (const bad of ["", "tcp://host", "tcp://127.0.0.1:99999", "udp://127.0.0.1:1", "ipc://"]) {
      expect(() => parseEndpoint(bad)).toThrowError(/endpoint/i);
    }
  });
});
