import { Audio, Histogram, Html, Image, Object3D, plot, RunlogError, Table, Video } from "@runlog/core";

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
      // PNG/JPEG bytes (PIL images and files, as W&B stores them) carry their own shape.
      return new Image(data, {
        ...(map.shape === undefined ? {} : { shape: numbers(map.shape, "image shape") }),
        ...(typeof map.caption === "string" ? { caption: map.caption } : {}),
        ...(map.mode === "L" || map.mode === "RGB" || map.mode === "RGBA" ? { mode: map.mode } : {}),
        ...(isMap(map.boxes) ? { boxes: map.boxes as never } : {}),
        ...(isMap(map.masks) ? { masks: map.masks as never } : {}),
      });
    }
    case "table":
      return table(map, depth);
    case "audio":
      return new Audio(typeof map.path === "string" ? map.path : Float64Array.from(numbers(map.data, "audio samples")), {
        ...(typeof map.sample_rate === "number" ? { sampleRate: map.sample_rate } : {}),
        ...(typeof map.caption === "string" ? { caption: map.caption } : {}),
      });
    case "video":
      return new Video(typeof map.path === "string" ? map.path : numbers(map.data, "video frames"), {
        ...(map.shape === undefined ? {} : { shape: numbers(map.shape, "video shape") }),
        ...(typeof map.fps === "number" ? { fps: map.fps } : {}),
        ...(typeof map.caption === "string" ? { caption: map.caption } : {}),
      });
    case "html":
      return new Html(String(map.html ?? ""));
    case "object3d":
      return new Object3D(typeof map.path === "string" ? map.path : (map.points as number[][]), {
        ...(typeof map.caption === "string" ? { caption: map.caption } : {}),
      });
    case "plot":
      return customChart(map, depth);
    default:
      throw new RunlogError("INVALID_VALUE", `Unknown logged type ${JSON.stringify(String(map.__runlog__)).slice(0, 60)}.`);
  }
}

const isMap = (value: unknown): boolean => value !== null && typeof value === "object" && !Array.isArray(value);

function table(map: Record<string, unknown>, depth: number): Table {
  if (!Array.isArray(map.columns) || !Array.isArray(map.data))
    throw new RunlogError("INVALID_VALUE", "A table needs columns and data lists.");
  return new Table({
    columns: map.columns.map(String),
    data: map.data.map((row) => (Array.isArray(row) ? row.map((cell) => fromWire(cell, depth + 1)) : [])),
  });
}

/** `wandb.plot.*`: the client sends the chart's name and arguments; core builds table and spec. */
function customChart(map: Record<string, unknown>, depth: number): unknown {
  const args = (isMap(map.args) ? map.args : {}) as Record<string, unknown>;
  const title = typeof args.title === "string" ? { title: args.title } : {};
  const data = () => table(map.table as Record<string, unknown>, depth);
  switch (map.kind) {
    case "line":
    case "scatter":
    case "bar":
      return plot[map.kind](data(), String(args.x), String(args.y), title);
    case "histogram":
      return plot.histogram(data(), String(args.value), title);
    case "line_series":
      return plot.lineSeries(
        numbers(args.xs, "xs"),
        (args.ys as unknown[]).map((ys) => numbers(ys, "ys")),
        {
          ...title,
          ...(Array.isArray(args.keys) ? { keys: args.keys.map(String) } : {}),
          ...(typeof args.xname === "string" ? { xName: args.xname } : {}),
        },
      );
    case "pr_curve":
    case "roc_curve": {
      const labels = Array.isArray(args.labels) ? { labels: args.labels.map(String) } : {};
      const build = map.kind === "pr_curve" ? plot.prCurve : plot.rocCurve;
      return build(numbers(args.y_true, "y_true"), args.y_probas as number[][], { ...title, ...labels });
    }
    case "confusion_matrix":
      return plot.confusionMatrix(numbers(args.y_true, "y_true"), numbers(args.preds, "preds"), {
        ...title,
        ...(Array.isArray(args.class_names) ? { classNames: args.class_names.map(String) } : {}),
      });
    default:
      throw new RunlogError("INVALID_VALUE", `Unknown plot ${JSON.stringify(String(map.kind)).slice(0, 40)}.`);
  }
}

function numbers(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || !value.every((n) => typeof n === "number"))
    throw new RunlogError("INVALID_VALUE", `${what} must be a list of numbers.`);
  return value as number[];
}
