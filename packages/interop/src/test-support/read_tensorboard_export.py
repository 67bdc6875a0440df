"""An exported run folder as TensorBoard reads it, as JSON.

TensorBoard's server reads through plugin_event_accumulator (scalars and text as tensors, by plugin;
the hparams plugin's data); the legacy event_accumulator gives histograms and images as written.
Non-finite floats are written as {"float": "nan" | "inf" | "-inf"}."""

import hashlib
import json
import math
import sys

from tensorboard import context
from tensorboard.backend.event_processing import data_provider
from tensorboard.backend.event_processing import event_accumulator as legacy
from tensorboard.backend.event_processing import plugin_event_accumulator as plugin
from tensorboard.backend.event_processing import plugin_event_multiplexer
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.util import tensor_util


def plain(value):
    if isinstance(value, float) and not math.isfinite(value):
        return {"float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    return value


run = sys.argv[1]
acc = plugin.EventAccumulator(run, size_guidance={"tensors": 0})
acc.Reload()
old = legacy.EventAccumulator(run, size_guidance={"histograms": 0, "images": 0})
old.Reload()


def tags_of(name):
    try:
        return acc.PluginTagToContent(name)
    except KeyError:  # no tag of that plugin in the run
        return {}


def tensors(name):
    return {
        tag: [[e.step, e.wall_time, tensor_util.make_ndarray(e.tensor_proto).item()] for e in acc.Tensors(tag)]
        for tag in tags_of(name)
    }


scalars = {tag: [[s, w, plain(float(v))] for s, w, v in events] for tag, events in tensors("scalars").items()}
text = {tag: [[s, w, v.decode("utf8")] for s, w, v in events] for tag, events in tensors("text").items()}
# What TensorBoard's web server serves to its scalars dashboard (the data provider over a multiplexer).
# All points: the server keeps a 1,000-point sample per tag unless told otherwise (--samples_per_plugin).
multiplexer = plugin_event_multiplexer.EventMultiplexer({"run": run}, tensor_size_guidance={"scalars": 0})
multiplexer.Reload()
provider = data_provider.MultiplexerDataProvider(multiplexer, run)
served = provider.read_scalars(context.RequestContext(), experiment_id="", plugin_name="scalars", downsample=10**9).get("run", {})
served_scalars = {tag: [[d.step, d.wall_time, plain(d.value)] for d in data] for tag, data in served.items()}
hparams = {}
for tag, content in tags_of("hparams").items():
    data = plugin_data_pb2.HParamsPluginData.FromString(content)
    for name, value in data.session_start_info.hparams.items():
        hparams[name] = getattr(value, value.WhichOneof("kind"))
print(
    json.dumps(
        {
            "scalars": scalars,
            "served_scalars": served_scalars,
            "text": text,
            "hparams": hparams,
            "histograms": {
                t: [[e.step, e.histogram_value.min, e.histogram_value.max, e.histogram_value.num, list(e.histogram_value.bucket_limit), list(e.histogram_value.bucket)] for e in old.Histograms(t)]
                for t in old.Tags()["histograms"]
            },
            "images": {
                t: [[e.step, e.width, e.height, hashlib.sha256(e.encoded_image_string).hexdigest()] for e in old.Images(t)]
                for t in old.Tags()["images"]
            },
        }
    )
)
