import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { extname } from "node:path";
import { describeValue, RunlogError } from "../errors.js";
import { MAX_DIMENSION } from "./image.js";
import { type HistoryContext, type Loggable, TO_HISTORY } from "./loggable.js";
import { writeMedia } from "./media.js";

const FORMATS = new Set(["gif", "mp4", "webm", "ogg"]);

/**
 * A video for run.log (W&B's `video-file`): a gif/mp4/webm/ogg file, or frames (0–255 pixels,
 * shape [frames, height, width, channels 1|3|4]) encoded as an animated GIF with gifenc.
 */
export class Video implements Loggable {
  readonly caption: string | undefined;
  readonly fps: number;
  private readonly bytes: Uint8Array;
  private readonly format: string;
  readonly width: number | undefined;
  readonly height: number | undefined;

  constructor(source: string | ArrayLike<number>, options: { shape?: readonly number[]; fps?: number; caption?: string } = {}) {
    this.caption = options.caption;
    this.fps = options.fps ?? 4;
    if (!Number.isFinite(this.fps) || this.fps <= 0 || this.fps > 1000)
      throw new RunlogError("INVALID_VALUE", `Video fps must be a number from 0 to 1000, got ${describeValue(options.fps)}.`);
    if (typeof source === "string") {
      const ext = extname(source).slice(1).toLowerCase();
      if (!FORMATS.has(ext))
        throw new RunlogError("INVALID_VALUE", `Video files must be ${[...FORMATS].join(", ")}; got ${describeValue(source)}.`);
      this.bytes = readFileSync(source);
      this.format = ext;
      return;
    }
    const [frames, height, width, channels = 3] = (options.shape ?? []) as number[];
    if (
      options.shape === undefined ||
      ![frames, height, width].every((n) => Number.isInteger(n) && (n as number) > 0) ||
      ![1, 3, 4].includes(channels)
    ) {
      throw new RunlogError(
        "INVALID_VALUE",
        `Video frames need { shape: [frames, height, width, 1|3|4] }, got ${describeValue(options.shape)}.`,
      );
    }
    const [t, h, w] = [frames as number, height as number, width as number];
    if (w > MAX_DIMENSION || h > MAX_DIMENSION)
      throw new RunlogError("INVALID_VALUE", `Video frames of ${w}×${h} exceed ${MAX_DIMENSION} pixels per side.`);
    if (source.length !== t * h * w * channels)
      throw new RunlogError("INVALID_VALUE", `Video: ${source.length} values do not fit the shape [${t}, ${h}, ${w}, ${channels}].`);
    this.width = w;
    this.height = h;
    this.format = "gif";
    this.bytes = encodeGif(source, t, h, w, channels, this.fps);
  }

  [TO_HISTORY](context: HistoryContext): Record<string, unknown> {
    return {
      _type: "video-file",
      ...writeMedia(context, "videos", this.format, this.bytes),
      format: this.format,
      ...(this.width === undefined ? {} : { width: this.width, height: this.height }),
      ...(this.caption === undefined ? {} : { caption: this.caption }),
    };
  }
}

/** gifenc is CommonJS without static named exports, and only videos need it: load it on first use. */
let gifenc: typeof import("gifenc") | undefined;
function loadGifenc(): typeof import("gifenc") {
  gifenc ??= createRequire(import.meta.url)("gifenc") as typeof import("gifenc");
  return gifenc;
}

function encodeGif(pixels: ArrayLike<number>, frames: number, height: number, width: number, channels: number, fps: number): Uint8Array {
  const { GIFEncoder, applyPalette, quantize } = loadGifenc();
  const gif = GIFEncoder();
  const rgba = new Uint8Array(width * height * 4);
  for (let f = 0; f < frames; f++) {
    const base = f * width * height * channels;
    for (let p = 0; p < width * height; p++) {
      for (let c = 0; c < 4; c++) {
        const value =
          c === 3
            ? channels === 4
              ? (pixels[base + p * 4 + 3] as number)
              : 255
            : (pixels[base + p * channels + (channels === 1 ? 0 : c)] as number);
        if (!Number.isFinite(value)) throw new RunlogError("INVALID_VALUE", `Video: frame ${f}, pixel ${p} is not a finite number.`);
        rgba[p * 4 + c] = Math.max(0, Math.min(255, Math.round(value)));
      }
    }
    const palette = quantize(rgba, 256);
    gif.writeFrame(applyPalette(rgba, palette), width, height, { palette, delay: Math.round(1000 / fps) });
  }
  gif.finish();
  return gif.bytes();
}
