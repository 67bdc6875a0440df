import { closeSync, openSync, writeSync } from "node:fs";
import { exportFailed } from "../export/export-target.js";
import { maskedCrc32c } from "../tensorboard/tfrecord.js";

/**
 * Writes TFRecord framing, the inverse of `readTfRecords`: [u64 length][u32 masked CRC-32C of the
 * length][data][u32 masked CRC-32C of the data], little-endian, one record per write.
 */
export class TfRecordWriter {
  private readonly fd: number;

  constructor(private readonly file: string) {
    try {
      this.fd = openSync(file, "w");
    } catch (error) {
      throw exportFailed(file, error);
    }
  }

  write(data: Uint8Array): void {
    const frame = Buffer.allocUnsafe(12 + data.length + 4);
    frame.writeBigUInt64LE(BigInt(data.length), 0);
    frame.writeUInt32LE(maskedCrc32c(frame.subarray(0, 8)), 8);
    frame.set(data, 12);
    frame.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
    try {
      writeSync(this.fd, frame);
    } catch (error) {
      throw exportFailed(this.file, error);
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
