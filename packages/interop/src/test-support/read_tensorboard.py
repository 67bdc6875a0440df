"""TensorBoard's own reader (EventAccumulator) over one run folder: scalars, histograms, images as JSON."""

import json
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

acc = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "histograms": 0, "images": 0, "tensors": 0})
acc.Reload()
tags = acc.Tags()
out = {
    "scalars": {t: [[e.step, e.wall_time, e.value] for e in acc.Scalars(t)] for t in tags["scalars"]},
    "histograms": {t: [[e.step, list(e.histogram_value.bucket)] for e in acc.Histograms(t)] for t in tags["histograms"]},
    "images": {t: [[e.step, e.width, e.height, len(e.encoded_image_string)] for e in acc.Images(t)] for t in tags["images"]},
}
print(json.dumps(out))
