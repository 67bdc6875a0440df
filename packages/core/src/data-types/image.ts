import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describeValue, RunlogError } from "../errors.js";
import { type HistoryContext, type Loggable, TO_HISTORY } from "./loggable.js";
import { writeMedia } from "./media.js";

/** pngjs is CommonJS and only images need it: load it on first use (keeps importing @runlog/core fast). */
let png: typeof import("pngjs") | undefined;
function pngjs(): typeof import("pngjs") {
  png ??= createRequire(import.meta.url)("pngjs") as typeof import("pngjs");
  return png;
}

/** W&B's limit on either side of an image. */
export const MAX_DIMENSION = 65_500;

/** A box in W&B's format: corners or a middle with width/height; in [0, 1] ("percent") unless domain is "pixel". */
export interface Box {
  position: { minX: number; maxX: number; minY: number; maxY: number } | { middle: [number, number]; width: number; height: number };
  class_id: number;
  box_caption?: string;
  scores?: Record<string, number>;
  domain?: "pixel";
}

export interface ImageOptions {
  caption?: string;
  /** PIL-style mode the pixels must match: "L" (1 channel), "RGB" (3) or "RGBA" (4). */
  mode?: "L" | "RGB" | "RGBA";
  /** Named box groups, e.g. { predictions: { box_data: [...], class_labels: { 0: "cat" } } }. */
  boxes?: Record<string, { box_data: Box[]; class_labels?: Record<number, string> }>;
  /** Named segmentation masks: mask_data is [height][width] of class ids (0–255). */
  masks?: Record<string, { mask_data: readonly (readonly number[])[]; class_labels?: Record<number, string> }>;
  /** For pixel arrays: [height, width] or [height, width, channels] (1, 3 or 4). */
  shape?: readonly number[];
  /** Pixel values are 0–255 by default; "unit" scales 0–1 floats to 0–255. */
  range?: "byte" | "unit";
}

interface TensorLike {
  shape: number[];
  dataSync(): ArrayLike<number>;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** Width and height from a JPEG's SOF marker (no decoding). */
function jpegSize(bytes: Uint8Array): { width: number; height: number } {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) throw new RunlogError("INVALID_VALUE", "Image: the JPEG data is damaged (no marker where one was expected).");
    const marker = bytes[i + 1] as number;
    const length = ((bytes[i + 2] as number) << 8) | (bytes[i + 3] as number);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return {
        height: ((bytes[i + 5] as number) << 8) | (bytes[i + 6] as number),
        width: ((bytes[i + 7] as number) << 8) | (bytes[i + 8] as number),
      };
    }
    i += 2 + length;
  }
  throw new RunlogError("INVALID_VALUE", "Image: the JPEG data has no size (SOF) marker.");
}

/**
 * An image for run.log, serialized as W&B's `image-file`: from PNG or JPEG bytes, a file path, a
 * pixel array (typed or nested) with its shape, or a tfjs tensor (duck-typed: `shape` + `dataSync()`).
 * Pixel arrays are encoded to PNG with pngjs.
 */
export class Image implements Loggable {
  readonly caption: string | undefined;
  readonly format: "png" | "jpeg";
  readonly width: number;
  readonly height: number;
  private readonly bytes: Uint8Array;
  private readonly boxes: ImageOptions["boxes"];
  private readonly masks: ImageOptions["masks"];

  constructor(source: Uint8Array | string | ArrayLike<number> | readonly unknown[] | TensorLike, options: ImageOptions = {}) {
    this.caption = options.caption;
    if (typeof source === "string") source = readFileSync(source);
    if (source instanceof Uint8Array && (startsWith(source, PNG_MAGIC) || startsWith(source, JPEG_MAGIC))) {
      this.bytes = source;
      if (startsWith(source, PNG_MAGIC)) {
        const decoded = pngjs().PNG.sync.read(Buffer.from(source));
        [this.format, this.width, this.height] = ["png", decoded.width, decoded.height];
      } else {
        const size = jpegSize(source);
        [this.format, this.width, this.height] = ["jpeg", size.width, size.height];
      }
    } else {
      const { pixels, shape } = toPixels(source, options.shape);
      const [height, width, channels = 1] = shape as [number, number, number?];
      const expected = { L: 1, RGB: 3, RGBA: 4 }[options.mode ?? (channels === 1 ? "L" : channels === 3 ? "RGB" : "RGBA")];
      if (options.mode !== undefined && expected !== channels) {
        throw new RunlogError(
          "INVALID_VALUE",
          `Image mode "${options.mode}" needs ${expected} channel(s), but the pixels have ${channels}.`,
        );
      }
      this.format = "png";
      this.width = width;
      this.height = height;
      this.bytes = encodePng(pixels, width, height, channels, options.range ?? "byte");
    }
    if (this.width < 1 || this.height < 1 || this.width > MAX_DIMENSION || this.height > MAX_DIMENSION) {
      throw new RunlogError(
        "INVALID_VALUE",
        `Image of ${this.width}×${this.height} is outside 1–${MAX_DIMENSION} pixels per side; resize it first.`,
      );
    }
    this.boxes = validateBoxes(options.boxes);
    this.masks = validateMasks(options.masks, this.width, this.height);
  }

  [TO_HISTORY](context: HistoryContext): Record<string, unknown> {
    const file = writeMedia(context, "images", this.format === "png" ? "png" : "jpg", this.bytes);
    const boxes =
      this.boxes &&
      mapValues(this.boxes, (group, name) => ({
        _type: "boxes2D",
        ...writeMedia(
          { ...context, key: `${context.key}_${name}` },
          "metadata/boxes2D",
          "boxes2D.json",
          Buffer.from(JSON.stringify(group), "utf8"),
        ),
      }));
    const masks =
      this.masks &&
      mapValues(this.masks, (mask, name) => ({
        _type: "mask",
        ...writeMedia(
          { ...context, key: `${context.key}_${name}` },
          "images/mask",
          "png",
          encodePng(mask.mask_data.flat(), this.width, this.height, 1, "byte"),
        ),
        ...(mask.class_labels ? { class_labels: mask.class_labels } : {}),
      }));
    return {
      _type: "image-file",
      ...file,
      format: this.format,
      width: this.width,
      height: this.height,
      ...(this.caption === undefined ? {} : { caption: this.caption }),
      ...(boxes ? { boxes } : {}),
      ...(masks ? { masks } : {}),
    };
  }
}

function toPixels(source: unknown, shape: readonly number[] | undefined): { pixels: ArrayLike<number>; shape: readonly number[] } {
  if (typeof source === "object" && source !== null && "dataSync" in source && "shape" in source) {
    const tensor = source as TensorLike;
    return { pixels: tensor.dataSync(), shape: tensor.shape };
  }
  if (Array.isArray(source)) {
    // Nested arrays: [rows][cols] or [rows][cols][channels].
    const rows = source.length;
    const cols = Array.isArray(source[0]) ? (source[0] as unknown[]).length : 0;
    const first = Array.isArray(source[0]) ? (source[0] as unknown[])[0] : undefined;
    const channels = Array.isArray(first) ? first.length : 1;
    const flat = (source as unknown[]).flat(2) as number[];
    if (cols === 0 || flat.length !== rows * cols * channels) {
      throw new RunlogError(
        "INVALID_VALUE",
        `Image: nested arrays must be [height][width] or [height][width][channels] with equal lengths (got ${describeValue(source, 60)}).`,
      );
    }
    return { pixels: flat, shape: channels === 1 ? [rows, cols] : [rows, cols, channels] };
  }
  if (ArrayBuffer.isView(source)) {
    if (shape === undefined) throw new RunlogError("INVALID_VALUE", "Image: a pixel array needs { shape: [height, width, channels?] }.");
    return { pixels: source as unknown as ArrayLike<number>, shape };
  }
  throw new RunlogError(
    "INVALID_VALUE",
    `Image needs PNG/JPEG bytes, a file path, pixels with a shape, or a tensor; got ${describeValue(source, 60)}.`,
  );
}

function encodePng(pixels: ArrayLike<number>, width: number, height: number, channels: number, range: "byte" | "unit"): Uint8Array {
  if (![1, 3, 4].includes(channels) || !Number.isInteger(width) || !Number.isInteger(height)) {
    throw new RunlogError(
      "INVALID_VALUE",
      `Image: shape must be [height, width] or [height, width, 1|3|4] of integers, got [${height}, ${width}, ${channels}].`,
    );
  }
  if (width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
    throw new RunlogError("INVALID_VALUE", `Image of ${width}×${height} is outside 1–${MAX_DIMENSION} pixels per side; resize it first.`);
  }
  if (pixels.length !== width * height * channels) {
    throw new RunlogError(
      "INVALID_VALUE",
      `Image: ${pixels.length} values do not fit the shape [${height}, ${width}, ${channels}] (${width * height * channels} expected).`,
    );
  }
  const { PNG } = pngjs();
  const image = new PNG({ width, height });
  const scale = range === "unit" ? 255 : 1;
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 4; c++) {
      let value: number;
      if (c === 3) value = channels === 4 ? (pixels[p * 4 + 3] as number) * scale : 255;
      else value = (pixels[p * channels + (channels === 1 ? 0 : c)] as number) * scale;
      if (!Number.isFinite(value))
        throw new RunlogError("INVALID_VALUE", `Image: pixel ${p} has a non-finite value (${value}); clean NaN/Infinity first.`);
      image.data[p * 4 + c] = Math.max(0, Math.min(255, Math.round(value)));
    }
  }
  return PNG.sync.write(image);
}

function mapValues<T, U>(record: Record<string, T>, fn: (value: T, key: string) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value, key)]));
}

function validateBoxes(boxes: ImageOptions["boxes"]): ImageOptions["boxes"] {
  if (boxes === undefined) return undefined;
  for (const [name, group] of Object.entries(boxes)) {
    if (!Array.isArray(group?.box_data)) throw new RunlogError("INVALID_VALUE", `Image boxes "${name}" need a box_data array.`);
    group.box_data.forEach((box, i) => {
      const p = box?.position as Record<string, unknown> | undefined;
      const numbers =
        p === undefined ? [] : "middle" in p ? [...(p.middle as number[]), p.width, p.height] : [p.minX, p.maxX, p.minY, p.maxY];
      if (numbers.length !== 4 || numbers.some((n) => typeof n !== "number" || !Number.isFinite(n))) {
        throw new RunlogError(
          "INVALID_VALUE",
          `Image boxes "${name}"[${i}]: position needs finite minX/maxX/minY/maxY or middle/width/height.`,
        );
      }
      if (!Number.isInteger(box.class_id))
        throw new RunlogError("INVALID_VALUE", `Image boxes "${name}"[${i}]: class_id must be an integer.`);
    });
  }
  return boxes;
}

function validateMasks(masks: ImageOptions["masks"], width: number, height: number): ImageOptions["masks"] {
  if (masks === undefined) return undefined;
  for (const [name, mask] of Object.entries(masks)) {
    const data = mask?.mask_data;
    if (!Array.isArray(data) || data.length !== height || data.some((row) => !Array.isArray(row) || row.length !== width)) {
      throw new RunlogError("INVALID_VALUE", `Image mask "${name}" must be ${height} rows of ${width} class ids, the image's size.`);
    }
    if (data.some((row) => row.some((v: number) => !Number.isInteger(v) || v < 0 || v > 255))) {
      throw new RunlogError("INVALID_VALUE", `Image mask "${name}" holds class ids 0–255 only.`);
    }
  }
  return masks;
}
