// s3rver ships no types: the part of its API that the tests use (core's S3 reference test, the server's S3 store).
declare module "s3rver" {
  import type { AddressInfo } from "node:net";

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory: string;
    configureBuckets?: { name: string; configs: (string | Buffer)[] }[];
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Listens (plain HTTP without key/cert options) and resolves with the bound TCP address. */
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}
