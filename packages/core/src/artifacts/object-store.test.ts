import { tempRoot } from "../test-support/temp-root.js";
import { describeObjectStoreContract } from "../testing/object-store-contract.js";
import { LocalObjectStore } from "./object-store.js";

describeObjectStoreContract("local folder", async () => new LocalObjectStore(tempRoot()));
