import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { describeValue, RunlogError } from "../errors.js";
import { type HistoryContext, type Loggable, TO_HISTORY } from "./loggable.js";
import { writeMedia } from "./media.js";

const FORMATS = new Set(["wav", "mp3", "ogg", "flac"]);

/**
 * Audio for run.log, serialized as W&B's `audio-file`: samples (−1…1, mono) with a sample rate,
 * encoded as 16-bit PCM WAV, or an audio file.
 */
export class Audio implements Loggable {
  readonly sampleRate: number | undefined;
  readonly caption: string | undefined;
  readonly durationSeconds: number | undefined;
  private readonly bytes: Uint8Array;
  private readonly ext: string;

  constructor(source: Float32Array | Float64Array | readonly number[] | string, options: { sampleRate?: number; caption?: string } = {}) {
    this.caption = options.caption;
    if (typeof source === "string") {
      const ext = extname(source).slice(1).toLowerCase();
      if (!FORMATS.has(ext))
        throw new RunlogError("INVALID_VALUE", `Audio files must be ${[...FORMATS].join(", ")}; got ${describeValue(source)}.`);
      this.bytes = readFileSync(source);
      this.ext = ext;
      this.sampleRate = options.sampleRate;
      return;
    }
    const rate = options.sampleRate;
    if (typeof rate !== "number" || !Number.isInteger(rate) || rate < 1 || rate > 768_000) {
      throw new RunlogError("INVALID_VALUE", `Audio from samples needs an integer sampleRate (1–768000 Hz), got ${describeValue(rate)}.`);
    }
    if (source.length === 0) throw new RunlogError("INVALID_VALUE", "Audio: no samples.");
    this.sampleRate = rate;
    this.durationSeconds = source.length / rate;
    this.bytes = encodeWav(source, rate);
    this.ext = "wav";
  }

  [TO_HISTORY](context: HistoryContext): Record<string, unknown> {
    const file = writeMedia(context, "audio", this.ext, this.bytes);
    return {
      _type: "audio-file",
      ...file,
      ...(this.sampleRate === undefined ? {} : { sample_rate: this.sampleRate }),
      ...(this.durationSeconds === undefined ? {} : { duration: this.durationSeconds }),
      ...(this.caption === undefined ? {} : { caption: this.caption }),
    };
  }
}

/** Mono 16-bit PCM WAV (RIFF). Samples are clamped to [-1, 1]; NaN is refused. */
export function encodeWav(samples: ArrayLike<number>, sampleRate: number): Uint8Array {
  const data = Buffer.alloc(44 + samples.length * 2);
  data.write("RIFF", 0, "ascii");
  data.writeUInt32LE(36 + samples.length * 2, 4);
  data.write("WAVEfmt ", 8, "ascii");
  data.writeUInt32LE(16, 16); // fmt chunk size
  data.writeUInt16LE(1, 20); // PCM
  data.writeUInt16LE(1, 22); // mono
  data.writeUInt32LE(sampleRate, 24);
  data.writeUInt32LE(sampleRate * 2, 28); // byte rate
  data.writeUInt16LE(2, 32); // block align
  data.writeUInt16LE(16, 34); // bits per sample
  data.write("data", 36, "ascii");
  data.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as number;
    if (Number.isNaN(s)) throw new RunlogError("INVALID_VALUE", `Audio: sample ${i} is NaN.`);
    const clamped = Math.max(-1, Math.min(1, s));
    data.writeInt16LE(Math.round(clamped < 0 ? clamped * 0x8000 : clamped * 0x7fff), 44 + i * 2);
  }
  return data;
}
