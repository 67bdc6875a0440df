"""Artifacts through the bridge: log a dataset (a folder, a file and new_file, one file > 1 MiB so
it streams in chunks), use it from a second run, log/use/link a model. Prints JSON."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import runlog

work = sys.argv[1]
os.makedirs(os.path.join(work, "data", "sub"), exist_ok=True)
with open(os.path.join(work, "data", "a.txt"), "w") as f:
    f.write("alpha")
with open(os.path.join(work, "data", "sub", "big.bin"), "wb") as f:
    f.write(bytes(range(256)) * 10000)  # 2.56 MB
with open(os.path.join(work, "model.pt"), "wb") as f:
    f.write(b"weights" * 1000)

producer = runlog.init(project="arts", entity="tester", name="producer")
dataset = runlog.Artifact("digits", "dataset", metadata={"rows": 2})
dataset.add_dir(os.path.join(work, "data"))
with dataset.new_file("notes/readme.md") as f:
    f.write("# notes")
logged = producer.log_artifact(dataset, aliases=["best"])
model = producer.log_model(os.path.join(work, "model.pt"), name="net", aliases=["candidate"])
producer.finish()

consumer = runlog.init(project="arts", entity="tester", name="consumer")
used = consumer.use_artifact("digits:best")
root = used.download(os.path.join(work, "download"))
model_path = consumer.use_model("net:candidate")
linked = consumer.link_model(os.path.join(work, "model.pt"), "registry-net", aliases=["production"])
consumer.finish()
with open(os.path.join(root, "sub", "big.bin"), "rb") as f:
    big_ok = f.read() == bytes(range(256)) * 10000
print(json.dumps({
    "logged": [logged.qualified_name, logged.version, logged.aliases],
    "model": {"qualified_name": model.qualified_name, "type": model.type}, "files": sorted(f.name for f in used.files()), "big_ok": big_ok,
    "model_bytes": open(model_path, "rb").read() == b"weights" * 1000, "linked": {"qualified_name": linked.qualified_name, "aliases": linked.aliases},
    "producer": producer.path, "consumer": consumer.path,
}))
