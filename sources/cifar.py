"""CIFAR-10 and CIFAR-100 from the official python tarballs, downloaded and checksummed."""
import importlib
import os
import pickle
import tarfile

import numpy as np

from akid.sources.download import OFFICIAL, data_path, ensure_files, expected_digests
from akid.checks import check_choice
from akid.sources.source import Source

CIFAR_URL = "https://www.cs.toronto.edu/~kriz/"
CIFAR10_FILE = "cifar-10-python.tar.gz"
CIFAR100_FILE = "cifar-100-python.tar.gz"
# The official tarballs' digests, as pinned by keras.datasets (cifar10.py,
# cifar100.py) and torchvision for the same URLs; the site itself gives MD5s only.
CIFAR10_SHA256 = {CIFAR10_FILE: "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"}
CIFAR100_SHA256 = {CIFAR100_FILE:
                   "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"}

# What the pickles may name: numpy's array reconstruction, under its numpy 1 and 2 paths.
_NUMPY_GLOBALS = {"_reconstruct", "ndarray", "dtype", "_frombuffer", "scalar"}
_NUMPY_MODULES = {"numpy", "numpy.core.multiarray", "numpy._core.multiarray",
                  "numpy.core.numeric", "numpy._core.numeric"}
_SAFE_GLOBALS = {("_codecs", "encode")}  # how Python 3 writes bytes in a protocol-2 pickle


class _ArrayUnpickler(pickle.Unpickler):
    """Loads the CIFAR batch dicts, refusing any global but numpy's array rebuilding.

    A pickle can run any callable it names; this one only lets numpy arrays
    through, and maps numpy 1's module paths (the files were written by
    Python 2 and numpy 1) to numpy 2's.
    """

    def find_class(self, module, name):
        if (module, name) in _SAFE_GLOBALS:
            return super().find_class(module, name)
        if module in _NUMPY_MODULES and name in _NUMPY_GLOBALS:
            for path in (module.replace("numpy.core", "numpy._core"), module):
                try:
                    return getattr(importlib.import_module(path), name)
                except (ImportError, AttributeError):
                    continue
        raise pickle.UnpicklingError(f"a CIFAR batch may only hold numpy arrays, lists and "
                                     f"bytes; it names {module}.{name}")


class CifarSource(Source):
    """The shared reader of the CIFAR python tarballs (subclassed for CIFAR-10 and -100).

    Subclasses set `file_name`, `digests`, `folder` (inside the tarball),
    `train_members`, `test_member`, `label_key` and `data_dir` (the default
    work_dir under `data_path()`).
    """

    file_name = digests = folder = label_key = data_dir = None
    train_members = test_member = ()

    def __init__(self, url=CIFAR_URL, work_dir=None, center=False, scale=True, num_train=None,
                 num_val=5000, sha256=OFFICIAL, name=None, label_key=None):
        super().__init__(center=center, scale=scale, num_train=num_train, num_val=num_val,
                         name=name)
        self.url = url
        self.work_dir = os.fspath(work_dir) if work_dir is not None else data_path(self.data_dir)
        label_key = label_key or self.label_key
        digests = expected_digests(self._describe(), self.digests, sha256)
        paths = ensure_files(url, self.work_dir, digests)
        batches = self._read(paths[self.file_name], label_key)
        x = np.concatenate([batches[m][0] for m in self.train_members])
        y = np.concatenate([batches[m][1] for m in self.train_members])
        self._set_data_holding_out((x, y), num_val, batches[self.test_member],
                                   origin=self.file_name)

    def _read(self, path, label_key):
        """{member: ((N, 32, 32, 3) uint8 images, (N,) labels)}, in one pass over the tarball."""
        wanted = {f"{self.folder}/{m}": m for m in (*self.train_members, self.test_member)}
        found = {}
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                if member.name in wanted and member.isfile():
                    with tar.extractfile(member) as f:
                        batch = _ArrayUnpickler(f, encoding="bytes").load()
                    found[wanted[member.name]] = self._parse(member.name, batch, label_key)
        missing = [name for name, m in wanted.items() if m not in found]
        if missing:
            raise ValueError(f"{self._describe()}: {path} lacks {', '.join(missing)}; is it "
                             f"{self.file_name}?")
        return found

    def _parse(self, member, batch, label_key):
        key = label_key.encode()
        if not isinstance(batch, dict) or b"data" not in batch or key not in batch:
            keys = sorted(batch) if isinstance(batch, dict) else type(batch).__name__
            raise ValueError(f"{self._describe()}: {member} should be a dict with b'data' and "
                             f"{key!r}, got {keys}")
        data, labels = np.asarray(batch[b"data"]), np.asarray(batch[key])
        if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072 \
                or labels.shape != data.shape[:1]:
            raise ValueError(f"{self._describe()}: {member} should hold (N, 3072) uint8 data "
                             f"and N labels, got data {data.dtype}{data.shape} and labels "
                             f"{labels.shape}")
        # Each row is the red, green, then blue 32x32 plane, row-major (CHW).
        images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        return np.ascontiguousarray(images), labels.astype(np.int32)


class Cifar10FeedSource(CifarSource):
    """CIFAR-10: 32x32x3 images of 10 classes, from the official python tarball.

    The constructor makes sure `cifar-10-python.tar.gz` is in `work_dir`
    (downloading it from `url` when missing, with a progress bar, atomically
    and checked), then reads the batches straight from the tarball. A
    tarball already there that fails its SHA-256 check is never touched: a
    ChecksumError names it, both digests and the ways on. The validation
    split is the last `num_val` images of the 50,000 training images
    (data_batch_1..5 in order), the training split the first `num_train` of
    the rest; test_batch is the test split.

    `scale=False` (with `center=False`) keeps raw uint8 pixels: the cheap
    input for an IntegratedSensor, which can rescale or whiten per batch.

    Args:
      url: the folder the tarball is fetched from, as `url + file_name`.
      work_dir: where it lives; default `data_path("cifar10")`.
      center, scale: as for `Source` (scale: pixels to [0, 1] float32).
      num_train: how many training images to use (None: all not in val).
      num_val: how many of the last training images form the validation split.
      sha256: "official" (default): check the tarball's official digest;
        None, or {file name: None}: trust the tarball as it is; a hex digest,
        or {file name: digest}: check that digest instead.
      name: the source's name.

    Example:
      >>> source = Cifar10FeedSource(scale=False)   # 45000 train, 5000 val, 10000 test, uint8
    """

    file_name, digests, folder = CIFAR10_FILE, CIFAR10_SHA256, "cifar-10-batches-py"
    train_members = tuple(f"data_batch_{i}" for i in range(1, 6))
    test_member = "test_batch"
    label_key, data_dir = "labels", "cifar10"

    def __init__(self, url=CIFAR_URL, work_dir=None, center=False, scale=True, num_train=None,
                 num_val=5000, sha256=OFFICIAL, name=None):
        super().__init__(url=url, work_dir=work_dir, center=center, scale=scale,
                         num_train=num_train, num_val=num_val, sha256=sha256, name=name)
        self.num_classes = 10


LABEL_MODES = ("fine", "coarse")


class Cifar100FeedSource(CifarSource):
    """CIFAR-100: 32x32x3 images of 100 fine (or 20 coarse) classes, from the python tarball.

    As Cifar10FeedSource, reading `cifar-100-python.tar.gz` (members
    cifar-100-python/train and test); `label_mode` picks the labels.

    Args:
      label_mode: "fine" (100 classes) or "coarse" (20 superclasses).
      url, work_dir (default `data_path("cifar100")`), center, scale,
      num_train, num_val, sha256, name: as for Cifar10FeedSource.
    """

    file_name, digests, folder = CIFAR100_FILE, CIFAR100_SHA256, "cifar-100-python"
    train_members = ("train",)
    test_member = "test"
    data_dir = "cifar100"

    def __init__(self, url=CIFAR_URL, work_dir=None, center=False, scale=True, num_train=None,
                 num_val=5000, sha256=OFFICIAL, label_mode="fine", name=None):
        self.label_mode = check_choice("Cifar100FeedSource", "label_mode", label_mode,
                                       LABEL_MODES)
        super().__init__(url=url, work_dir=work_dir, center=center, scale=scale,
                         num_train=num_train, num_val=num_val, sha256=sha256, name=name,
                         label_key=f"{label_mode}_labels")
        self.num_classes = 100 if label_mode == "fine" else 20
