"""What the Kid checks before it writes anything: that its sensor fits its brain and engine."""
import numpy as np


def check_labels(sensor, brain):
    """Integer labels must lie in [0, class_num) of every classifying loss block."""
    classifiers = [b for b in brain.descendants()
                   if getattr(b, "class_num", None) and b.role == "loss"]
    for split in ("train", "val"):
        if not classifiers or not sensor.num_examples(split):
            continue
        labels = np.asarray(sensor.source.arrays(split)[1])
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            continue
        low, high = int(labels.min()), int(labels.max())
        for block in classifiers:
            if low < 0 or high >= block.class_num:
                raise ValueError(f"Kid: the {split} labels of {sensor.name} range over "
                                 f"[{low}, {high}], outside [0, {block.class_num}) of block "
                                 f"'{block.name}' ({type(block).__name__}, "
                                 f"class_num={block.class_num})")


def check_towers(sensor, engine):
    """Every training batch must give each of the engine's towers at least one example."""
    towers = engine.num_replicas
    remainder = sensor.source.num_train % sensor.batch_size
    reaches_last = sensor.num_batches_per_epoch * sensor.batch_size >= sensor.source.num_train
    smallest = remainder if remainder and reaches_last else sensor.batch_size
    if smallest < towers:
        raise ValueError(f"Kid: engine {engine.name} splits every batch across {towers} towers, "
                         f"but {sensor.name} makes a training batch of {smallest} example(s) "
                         f"(batch_size={sensor.batch_size}, {sensor.source.num_train} examples); "
                         f"choose a batch_size of at least {towers} that leaves no smaller "
                         f"last batch")
