import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { RunlogError } from "../errors.js";
import { initIn, readHistory } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { Audio, encodeWav } from "./audio.js";
import { Html } from "./html.js";
import { Image } from "./image.js";

interface MediaValue {
  _type: string;
  path: string;
  sha256: string;
  size: number;
  width?: number;
  height?: number;
  format?: string;
  caption?: string;
  sample_rate?: number;
}

describe("media in run.log (read back through the Api, files opened)", () => {
  it("Image from RGB pixels, nested grayscale arrays, a tensor and PNG bytes: the stored PNG decodes to the same pixels", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const rgb = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => (i * 17) % 256);
    const gray = [
      [0, 128],
      [255, 64],
    ];
    const tensor = { shape: [1, 2, 1], dataSync: () => Float32Array.from([0.25, 1]) };
    const png = new PNG({ width: 1, height: 1 });
    png.data.set([10, 20, 30, 255]);
    run.log({
      "samples/rgb": new Image(rgb, { shape: [2, 3, 3], caption: "a 3×2 image" }),
      "samples/gray": new Image(gray),
      "samples/tensor": new Image(tensor, { range: "unit" }),
      "samples/png": new Image(PNG.sync.write(png)),
    });
    await run.finish();
    const [row] = await readHistory(root, run.path);
    const rgbValue = row?.["samples/rgb"] as MediaValue;
    expect(rgbValue).toMatchObject({ _type: "image-file", format: "png", width: 3, height: 2, caption: "a 3×2 image" });
    expect(rgbValue.path).toMatch(/^media\/images\/samples_rgb_0_[0-9a-f]{20}\.png$/);
    const decoded = PNG.sync.read(readFileSync(join(run.dir, rgbValue.path)));
    const rgbBack = Array.from({ length: 6 }, (_, p) => Array.from(decoded.data.subarray(p * 4, p * 4 + 3))).flat();
    expect(rgbBack).toEqual(Array.from(rgb));
    const grayBack = PNG.sync.read(readFileSync(join(run.dir, (row as Record<string, MediaValue>)["samples/gray"]?.path as string)));
    expect([grayBack.data[0], grayBack.data[4], grayBack.data[8], grayBack.data[12]]).toEqual([0, 128, 255, 64]);
    const tensorBack = PNG.sync.read(readFileSync(join(run.dir, (row as Record<string, MediaValue>)["samples/tensor"]?.path as string)));
    expect([tensorBack.data[0], tensorBack.data[4]]).toEqual([64, 255]);
    expect(row?.["samples/png"]).toMatchObject({ width: 1, height: 1, size: PNG.sync.write(png).length });
  });

  it("JPEG bytes keep their format and size from the SOF marker", () => {
    // SOI, APP0 (JFIF), SOF0 with height 480 and width 640, EOI: enough for the header reader.
    const jpeg = Uint8Array.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0,
      0x02, 0x80, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9,
    ]);
    const image = new Image(jpeg);
    expect([image.format, image.width, image.height]).toEqual(["jpeg", 640, 480]);
  });

  it("Audio samples become a 16-bit mono WAV with the right header and sample count; Html is stored as a file", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const samples = Float32Array.from({ length: 8000 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 8000));
    run.log({ tone: new Audio(samples, { sampleRate: 8000, caption: "A4" }), report: new Html("<h1>Hi</h1><script>alert(1)</script>") });
    await run.finish();
    const [row] = await readHistory(root, run.path);
    const tone = row?.tone as MediaValue;
    expect(tone).toMatchObject({ _type: "audio-file", sample_rate: 8000, caption: "A4", size: 44 + 16000 });
    const wav = readFileSync(join(run.dir, tone.path));
    expect(wav.toString("ascii", 0, 4)).toBe("RIFF");
    expect(wav.toString("ascii", 8, 12)).toBe("WAVE");
    expect([wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt16LE(34), wav.readUInt32LE(40) / 2]).toEqual([1, 8000, 16, 8000]);
    expect(wav.readInt16LE(44 + 2 * 2)).toBe(Math.round(Math.sin((2 * Math.PI * 440 * 2) / 8000) * 0x7fff));
    const report = row?.report as MediaValue;
    expect(readFileSync(join(run.dir, report.path), "utf8")).toBe("<h1>Hi</h1><script>alert(1)</script>");
    expect(Buffer.from(encodeWav([2, -2], 100)).readInt16LE(44)).toBe(0x7fff); // clamped
  });

  it("refuses bad media with INVALID_VALUE, keeping the other values of the same call", async () => {
    const root = tempRoot();
    const bad: [() => unknown, RegExp][] = [
      [() => new Image(Float32Array.from([Number.NaN, 0, 0, 0]), { shape: [2, 2] }), /non-finite/],
      [() => new Image(new Uint8Array(70_000), { shape: [70_000, 1] }), /65500/],
      [() => new Image(new Uint8Array(5), { shape: [2, 2] }), /do not fit/],
      [() => new Image(new Uint8Array(8), { shape: [2, 2, 2] }), /1\|3\|4/],
      [() => new Image(new Uint8Array(4)), /needs \{ shape/],
      [() => new Image([[1, 2], [3]]), /equal lengths/],
      [() => new Image(42 as never), /PNG\/JPEG bytes/],
      [() => new Audio(Float32Array.from([0.1])), /sampleRate/],
      [() => new Audio(Float32Array.from([Number.NaN]), { sampleRate: 8000 }), /NaN/],
      [() => new Audio("/tmp/x.exe"), /wav, mp3/],
      [() => new Html(42 as never), /string of HTML/],
    ];
    for (const [attempt, why] of bad) {
      expect(attempt).toThrowError(expect.objectContaining({ code: "INVALID_VALUE", message: expect.stringMatching(why) }));
    }
    const run = await initIn(root);
    const broken = {
      [Symbol.for("runlog.toHistory")]: () => {
        throw new RunlogError("INVALID_VALUE", "cannot encode");
      },
    };
    expect(() => run.log({ loss: 1, picture: broken })).toThrowError(/picture.*cannot encode/);
    await run.finish();
    const [row] = await readHistory(root, run.path);
    expect(row?.loss).toBe(1);
    expect(row).not.toHaveProperty("picture");
  });
});

describe("arrays in history and summary", () => {
  it("a typed array over 32 values is a histogram in history and stats in the summary", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.log({ activations: Float32Array.from({ length: 101 }, (_, i) => i) });
    await run.finish();
    const [row] = await readHistory(root, run.path);
    expect((row as Record<string, { _type: string }>).activations?._type).toBe("histogram");
    expect(run.summary.get("activations")).toEqual({
      _type: "array-stats",
      size: 101,
      min: 0,
      max: 100,
      mean: 50,
      var: 850,
      "10%": 10,
      "25%": 25,
      "75%": 75,
      "90%": 90,
    });
  });

  it("a list of images is stored per image; more than 108 is refused with the other values kept", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const tiny = () => new Image(new Uint8Array([1]), { shape: [1, 1] });
    run.log({ samples: [tiny(), tiny()] });
    expect(() => run.log({ loss: 1, many: Array.from({ length: 109 }, tiny) })).toThrowError(/109 images.*108/);
    await run.finish();
    const [first, second] = await readHistory(root, run.path);
    expect((first as Record<string, { _type: string }[]>).samples?.map((i) => i._type)).toEqual(["image-file", "image-file"]);
    expect(second?.loss).toBe(1);
  });
});

describe("Video", () => {
  it("encodes frames as an animated GIF with the right size and frame count; refuses bad shapes", async () => {
    const { Video } = await import("./video.js");
    const root = tempRoot();
    const run = await initIn(root);
    const frames = Uint8Array.from({ length: 3 * 2 * 4 * 3 }, (_, i) => (i * 7) % 256);
    run.log({ clip: new Video(frames, { shape: [3, 2, 4, 3], fps: 10, caption: "rollout" }) });
    await run.finish();
    const [row] = await readHistory(root, run.path);
    const clip = (row as Record<string, MediaValue>).clip as MediaValue;
    expect(clip).toMatchObject({ _type: "video-file", format: "gif", width: 4, height: 2, caption: "rollout" });
    const gif = readFileSync(join(run.dir, clip.path));
    expect(gif.toString("ascii", 0, 6)).toBe("GIF89a");
    expect([gif.readUInt16LE(6), gif.readUInt16LE(8)]).toEqual([4, 2]);
    const graphicControls = [...gif].filter((b, i) => b === 0x21 && gif[i + 1] === 0xf9).length; // one per frame
    expect(graphicControls).toBe(3);
    expect(() => new Video(frames)).toThrowError(/shape/);
    expect(() => new Video(frames, { shape: [3, 2, 4, 2] })).toThrowError(/1\|3\|4/);
    expect(() => new Video(frames, { shape: [2, 2, 4, 3] })).toThrowError(/do not fit/);
    expect(() => new Video(frames, { shape: [3, 2, 4, 3], fps: 0 })).toThrowError(/fps/);
    expect(() => new Video("clip.avi")).toThrowError(/gif, mp4/);
  });
});

describe("Image boxes, masks and mode", () => {
  it("stores boxes as boxes2D JSON and masks as class-id PNGs next to the image; validates them", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const pixels = new Uint8Array(2 * 3 * 3).fill(100);
    const image = new Image(pixels, {
      shape: [2, 3, 3],
      mode: "RGB",
      boxes: {
        predictions: {
          box_data: [{ position: { minX: 0.1, maxX: 0.5, minY: 0.2, maxY: 0.9 }, class_id: 1, scores: { conf: 0.8 } }],
          class_labels: { 1: "cat" },
        },
      },
      masks: {
        truth: {
          mask_data: [
            [0, 1, 1],
            [0, 0, 2],
          ],
          class_labels: { 1: "cat", 2: "dog" },
        },
      },
    });
    run.log({ detection: image });
    await run.finish();
    const [row] = await readHistory(root, run.path);
    const value = (row as Record<string, Record<string, Record<string, MediaValue & { class_labels?: unknown }>>>).detection;
    const boxes = value?.boxes?.predictions as MediaValue;
    expect(boxes._type).toBe("boxes2D");
    expect(JSON.parse(readFileSync(join(run.dir, boxes.path), "utf8")).box_data[0]).toMatchObject({ class_id: 1, scores: { conf: 0.8 } });
    const mask = value?.masks?.truth as MediaValue & { class_labels?: unknown };
    expect(mask).toMatchObject({ _type: "mask", class_labels: { 1: "cat", 2: "dog" } });
    const decoded = PNG.sync.read(readFileSync(join(run.dir, mask.path)));
    expect(Array.from({ length: 6 }, (_, p) => decoded.data[p * 4])).toEqual([0, 1, 1, 0, 0, 2]);
    expect(() => new Image(pixels, { shape: [2, 3, 3], mode: "L" })).toThrowError(/mode "L" needs 1/);
    expect(() => new Image(pixels, { shape: [2, 3, 3], masks: { m: { mask_data: [[0]] } } })).toThrowError(/2 rows of 3/);
    expect(
      () =>
        new Image(pixels, {
          shape: [2, 3, 3],
          masks: {
            m: {
              mask_data: [
                [0, 0, 0],
                [0, 0, 300],
              ],
            },
          },
        }),
    ).toThrowError(/0–255/);
    expect(
      () =>
        new Image(pixels, {
          shape: [2, 3, 3],
          boxes: { b: { box_data: [{ position: { minX: Number.NaN, maxX: 1, minY: 0, maxY: 1 }, class_id: 0 }] } },
        }),
    ).toThrowError(/finite/);
    expect(
      () =>
        new Image(pixels, {
          shape: [2, 3, 3],
          boxes: { b: { box_data: [{ position: { middle: [0.5, 0.5], width: 0.1, height: 0.1 }, class_id: 1.5 }] } },
        }),
    ).toThrowError(/class_id/);
  });
});

describe("reading one step's media back", () => {
  it("scanHistory narrowed to a step and key finds the image; filePath opens it and refuses to leave the run", async () => {
    const { Api } = await import("../api/api.js");
    const root = tempRoot();
    const run = await initIn(root);
    for (let step = 0; step < 50; step++) run.log({ loss: step, sample: new Image(new Uint8Array([step, 0, 0]), { shape: [1, 1, 3] }) });
    await run.finish();
    const api = new Api({ dir: root });
    try {
      const stored = await api.run(run.path);
      const rows = [];
      for await (const row of stored.scanHistory({ keys: ["sample"], minStep: 37, maxStep: 37 })) rows.push(row);
      expect(rows).toHaveLength(1);
      const file = stored.filePath((rows[0]?.sample as { path: string } | undefined)?.path ?? "missing");
      expect([...PNG.sync.read(readFileSync(file)).data.subarray(0, 4)]).toEqual([37, 0, 0, 255]);
      for (const hostile of ["../../runlog.db", "/etc/passwd", "media/../../../x", "a\0b"]) {
        expect(() => stored.filePath(hostile)).toThrowError(expect.objectContaining({ code: "PATH_OUTSIDE_ROOT" }));
      }
    } finally {
      api.close();
    }
  });
});
