// Regenerates src/schemas/*.json (protobuf.js reflection JSON) from the protobuf descriptors that the
// installed wandb and tensorboard Python packages carry (each _pb2 module embeds its serialized
// FileDescriptorProto). Run once after upgrading either package: `npm run generate-schemas -w @runlog/interop`.
// The schemas are the tools' own, not written by hand; their licenses are in THIRD_PARTY_NOTICES.md.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";
import "protobufjs/ext/descriptor/index.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const python = `${(process.env.RUNLOG_VENV_DEV ?? `${repoRoot}.venv`).replace(/\/$/, "")}/bin/python`;

// Python: a FileDescriptorSet of the named modules and everything they import, dependencies first.
const DUMP = `
import importlib, sys
from google.protobuf import descriptor_pb2
seen, out = set(), descriptor_pb2.FileDescriptorSet()
def add(fd):
    if fd.name in seen: return
    seen.add(fd.name)
    for dep in fd.dependencies: add(dep)
    proto = descriptor_pb2.FileDescriptorProto()
    fd.CopyToProto(proto)
    out.file.append(proto)
for name in sys.argv[1:]: add(importlib.import_module(name).DESCRIPTOR)
sys.stdout.buffer.write(out.SerializeToString())
`;

const SCHEMAS = {
  wandb: ["wandb.proto.wandb_internal_pb2"],
  tensorboard: ["tensorboard.compat.proto.event_pb2", "tensorboard.plugins.hparams.plugin_data_pb2"],
};

for (const [name, modules] of Object.entries(SCHEMAS)) {
  const bytes = execFileSync(python, ["-c", DUMP, ...modules], { maxBuffer: 64 * 1024 * 1024 });
  const root = protobuf.Root.fromDescriptor(bytes);
  const versions = execFileSync(python, ["-c", `import importlib.metadata as m; print(m.version("${name}"))`])
    .toString()
    .trim();
  const file = fileURLToPath(new URL(`../src/schemas/${name}.json`, import.meta.url));
  writeFileSync(file, `${JSON.stringify({ generatedFrom: `${name} ${versions}`, root: root.toJSON() })}\n`);
  console.log(`${file}: from ${name} ${versions}`);
}
