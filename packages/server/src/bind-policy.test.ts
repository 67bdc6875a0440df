import { RunlogError } from "@runlog/core";
import { describe, expect, it } from "vitest";
import { isLoopbackHost, resolveBindPolicy } from "./index.js";

describe("bind policy", () => {
  it("treats only loopback addresses as local", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["0.0.0.0", "192.168.1.10", "::", "example.com", "128.0.0.1"]) expect(isLoopbackHost(host)).toBe(false);
  });

  it("defaults to 127.0.0.1 without a key", () => {
    expect(resolveBindPolicy({})).toEqual({ host: "127.0.0.1", requireKey: false });
  });

  it("refuses a non-loopback host without a strong API key", () => {
    const attempt = () => resolveBindPolicy({ host: "0.0.0.0", apiKey: "short" });
    expect(attempt).toThrowError(/API key/);
    try {
      attempt();
    } catch (error) {
      expect(RunlogError.isInstance(error) && error.code).toBe("INVALID_ARGUMENT");
    }
    expect(resolveBindPolicy({ host: "0.0.0.0", apiKey: "k".repeat(32) })).toEqual({ host: "0.0.0.0", requireKey: true });
  });
});
