/**
 * The bridge's hot path: the record a training loop sends every step, `["log", {key: number, …}]`
 * without options, read from its msgpack bytes straight into reused key and value arrays for
 * `Run.logScalars`, without building objects. Loops log the same keys in the same order, so key
 * strings are cached by position and a repeated key costs a byte compare, not a decode.
 * Anything else (options, nested values, strings, 64-bit integers, odd bytes) is left to msgpackr.
 */
export class LogRowReader {
  readonly keys: string[] = [];
  values = new Float64Array(64);
  count = 0;
  private readonly keyBytes: Buffer[] = [];

  /** Reads the record at `offset`: its end when it is such a row (keys/values/count hold it), else -1. */
  read(bytes: Buffer, offset: number): number {
    const end = bytes.length;
    // fixarray(2), fixstr(3) "log"
    if (offset + 5 > end || bytes[offset] !== 0x92 || bytes[offset + 1] !== 0xa3) return -1;
    if (bytes[offset + 2] !== 0x6c || bytes[offset + 3] !== 0x6f || bytes[offset + 4] !== 0x67) return -1;
    let at = offset + 5;
    let count: number;
    const mapHeader = bytes[at] as number;
    if (mapHeader >= 0x81 && mapHeader <= 0x8f) {
      count = mapHeader & 0x0f;
      at += 1;
    } else if (mapHeader === 0xde && at + 3 <= end) {
      count = bytes.readUInt16BE(at + 1);
      at += 3;
    } else return -1;
    if (count === 0) return -1;
    if (count > this.values.length) this.values = new Float64Array(Math.max(count, this.values.length * 2));
    const values = this.values;
    for (let i = 0; i < count; i++) {
      // key: fixstr or str8
      const keyHeader = bytes[at] as number;
      let length: number;
      if (keyHeader >= 0xa1 && keyHeader <= 0xbf) {
        length = keyHeader & 0x1f;
        at += 1;
      } else if (keyHeader === 0xd9 && at + 2 <= end) {
        length = bytes[at + 1] as number;
        at += 2;
      } else return -1;
      if (at + length >= end) return -1;
      this.readKey(bytes, at, length, i);
      at += length;
      // value: float64, float32, or an integer of at most 32 bits
      const type = bytes[at] as number;
      if (type === 0xcb) {
        if (at + 9 > end) return -1;
        values[i] = bytes.readDoubleBE(at + 1);
        at += 9;
      } else if (type <= 0x7f) {
        values[i] = type;
        at += 1;
      } else if (type >= 0xe0) {
        values[i] = type - 0x100;
        at += 1;
      } else {
        const size = INT_SIZES[type - 0xca];
        if (size === undefined || size === 0 || at + 1 + size > end) return -1;
        values[i] = readNumber(bytes, type, at + 1);
        at += 1 + size;
      }
    }
    this.count = count;
    return at;
  }

  private readKey(bytes: Buffer, at: number, length: number, index: number): void {
    const cached = this.keyBytes[index];
    if (cached !== undefined && cached.length === length) {
      let same = true;
      for (let j = 0; j < length; j++) {
        if (bytes[at + j] !== cached[j]) {
          same = false;
          break;
        }
      }
      if (same) return;
    }
    this.keyBytes[index] = Buffer.from(bytes.subarray(at, at + length));
    this.keys[index] = bytes.toString("utf8", at, at + length);
  }
}

// Payload sizes of the msgpack number types 0xca…0xd2 this reader takes (0: left to msgpackr).
// 0xca float32, 0xcb float64 (handled above), 0xcc–0xce uint8/16/32, 0xcf uint64, 0xd0–0xd2 int8/16/32.
const INT_SIZES = [4, 0, 1, 2, 4, 0, 1, 2, 4];

function readNumber(bytes: Buffer, type: number, at: number): number {
  switch (type) {
    case 0xca:
      return bytes.readFloatBE(at);
    case 0xcc:
      return bytes[at] as number;
    case 0xcd:
      return bytes.readUInt16BE(at);
    case 0xce:
      return bytes.readUInt32BE(at);
    case 0xd0:
      return bytes.readInt8(at);
    case 0xd1:
      return bytes.readInt16BE(at);
    default:
      return bytes.readInt32BE(at);
  }
}
