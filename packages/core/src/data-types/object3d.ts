import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describeValue, RunlogError } from "../errors.js";
import { type HistoryContext, type Loggable, TO_HISTORY } from "./loggable.js";
import { writeMedia } from "./media.js";

const FILE_TYPES = ["obj", "gltf", "glb", "babylon", "stl", "pts.json"];

/**
 * A 3D object for run.log (W&B's `object3D-file`): an .obj/.gltf/.glb/.babylon/.stl/.pts.json file,
 * or a point cloud: rows of [x, y, z], [x, y, z, category] or [x, y, z, r, g, b], stored as pts.json.
 */
export class Object3D implements Loggable {
  readonly caption: string | undefined;
  private readonly bytes: Uint8Array;
  private readonly ext: string;

  constructor(source: string | readonly (readonly number[])[], options: { caption?: string } = {}) {
    this.caption = options.caption;
    if (typeof source === "string") {
      const name = basename(source).toLowerCase();
      const ext = FILE_TYPES.find((type) => name.endsWith(`.${type}`));
      if (ext === undefined)
        throw new RunlogError("INVALID_VALUE", `Object3D files must be ${FILE_TYPES.join(", ")}; got ${describeValue(source)}.`);
      this.bytes = readFileSync(source);
      this.ext = ext;
      return;
    }
    if (!Array.isArray(source) || source.length === 0)
      throw new RunlogError("INVALID_VALUE", `Object3D needs a file path or a non-empty array of points, got ${describeValue(source)}.`);
    const width = (source[0] as readonly number[]).length;
    if (![3, 4, 6].includes(width))
      throw new RunlogError(
        "INVALID_VALUE",
        `Object3D points must be [x, y, z], [x, y, z, category] or [x, y, z, r, g, b]; got rows of ${width}.`,
      );
    source.forEach((point, i) => {
      if (!Array.isArray(point) || point.length !== width || point.some((v) => !Number.isFinite(v))) {
        throw new RunlogError("INVALID_VALUE", `Object3D point ${i} must be ${width} finite numbers, got ${describeValue(point)}.`);
      }
    });
    this.bytes = Buffer.from(JSON.stringify({ type: "lidar/beta", points: source }), "utf8");
    this.ext = "pts.json";
  }

  [TO_HISTORY](context: HistoryContext): Record<string, unknown> {
    return {
      _type: "object3D-file",
      ...writeMedia(context, "object3D", this.ext, this.bytes),
      ...(this.caption === undefined ? {} : { caption: this.caption }),
    };
  }
}
