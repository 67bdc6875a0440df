import { describe, expect, it } from "vitest";
import { escapeHtml } from "./index.js";

describe("escapeHtml", () => {
  it("neutralises markup and attribute breakouts", () => {
    expect(escapeHtml(`<img src=x onerror="alert('x')">`)).toBe("&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;");
    expect(escapeHtml("a & b `c`")).toBe("a &amp; b &#96;c&#96;");
  });

  it("stringifies non-strings", () => {
    expect(escapeHtml(42)).toBe("42");
    expect(escapeHtml(null)).toBe("null");
  });
});
