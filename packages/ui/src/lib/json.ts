/** Reads the server's JSON: NaN, ±Infinity and big integers arrive tagged (see @runlog/core's encodeJson). */
export function decodeJson<T = unknown>(text: string): T {
  return JSON.parse(text, (_key, value) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === "__runlog_number") return Number(value.__runlog_number);
      if (keys.length === 1 && keys[0] === "__runlog_bigint") return BigInt(value.__runlog_bigint);
    }
    return value;
  }) as T;
}
