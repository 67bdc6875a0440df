import { Histogram, Image, RunlogError, Table } from "@runlog/core";

/**
 * Values from Python arrive as msgpack; rich types are maps tagged `__runlog__` (see PROTOCOL.md)
 * and become the core data types here. Everything else passes through.
 */
export function fromWire(value: unknown, depth = 0): unknown {
  if (depth > 32) throw new RunlogError("INVALID_VALUE", "A logged value is nested more than 32 levels deep.");
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((item) => fromWire(item, depth + 1));
  const map = value as Record<string, unknown>;
  switch (map.__runlog__) {
    case undefined: {
      // msgpack gave us a fresh object: convert nested values in place (most rows are flat scalars: nothing to do).
      for (const key in map) {
        const child = map[key];
        if (child !== null && typeof child === "object" && !ArrayBuffer.isView(child)) map[key] = fromWire(child, depth + 1);
      }
      return map;
    }
    case "histogram":
      return new Histogram({ values: numbers(map.values, "histogram values"), bins: numbers(map.bins, "histogram bins") });
    case "image": {
      const data = map.data;
      if (!(data instanceof Uint8Array)) throw new RunlogError("INVALID_VALUE", "An image must carry its pixels as bytes.");
      return new Image(data, {
        shape: numbers(map.shape, "image shape"),
        ...(typeof map.caption === "string" ? { caption: map.caption } : {}),
      });
    }
    case "table":
      if (!Array.isArray(map.columns) || !Array.isArray(map.data))
        throw new RunlogError("INVALID_VALUE", "A table needs columns and data lists.");
      return new Table({
        columns: map.columns.map(String),
        data: map.data.map((row) => (Array.isArray(row) ? row.map((cell) => fromWire(cell, depth + 1)) : [])),
      });
    default:
      throw new RunlogError("INVALID_VALUE", `Unknown logged type ${JSON.stringify(String(map.__runlog__)).slice(0, 60)}.`);
  }
}

function numbers(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || !value.every((n) => typeof n === "number"))
    throw new RunlogError("INVALID_VALUE", `${what} must be a list of numbers.`);
  return value as number[];
}
