import { RunlogError } from "@runlog/core";

/**
 * A protobuf wire-format cursor over one message's bytes: just enough to walk ONNX files
 * (varints, length-delimited fields, fixed 32/64-bit). Length-delimited fields are returned as
 * views, never copies, so a 400 MB initializer costs nothing to skip.
 */
export class Wire {
  private at: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.at = start;
  }

  get done(): boolean {
    return this.at >= this.end;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; type: number } {
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field === 0) this.fail("field number 0");
    return { field, type: key & 7 };
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) this.fail("a varint runs past the end");
      const byte = this.bytes[this.at++] as number;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
    return this.fail("a varint longer than 10 bytes");
  }

  /** A varint read as a signed int64 (two's complement), exactly: negatives take all 10 bytes, beyond a double's precision. */
  int64(): number {
    const start = this.at;
    const value = this.varint();
    if (this.at - start < 8) return value;
    let big = 0n;
    for (let i = this.at - 1; i >= start; i--) big = (big << 7n) | BigInt((this.bytes[i] as number) & 0x7f);
    return Number(BigInt.asIntN(64, big));
  }

  bytesField(): Uint8Array {
    const length = this.varint();
    if (this.at + length > this.end) this.fail("a field runs past the end");
    const view = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return view;
  }

  string(): string {
    return new TextDecoder("utf-8").decode(this.bytesField());
  }

  /** Skips a field of the given wire type. */
  skip(type: number): void {
    switch (type) {
      case 0:
        this.varint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.advance(this.varint());
        return;
      case 5:
        this.advance(4);
        return;
      default:
        this.fail(`unsupported wire type ${type}`);
    }
  }

  /** Repeated int64 that may be packed (wire type 2) or one value per tag (wire type 0). */
  int64s(type: number, into: number[]): void {
    if (type === 0) {
      into.push(this.int64());
      return;
    }
    const view = this.bytesField();
    const inner = new Wire(view);
    while (!inner.done) into.push(inner.int64());
  }

  private advance(n: number): void {
    if (this.at + n > this.end) this.fail("a field runs past the end");
    this.at += n;
  }

  private fail(why: string): never {
    throw new RunlogError("MODEL_INVALID", `Not a valid ONNX (protobuf) file: ${why} at byte ${this.at}.`);
  }
}
