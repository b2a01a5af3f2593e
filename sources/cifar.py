"""CIFAR-10 and CIFAR-100 from the official python tarballs, downloaded and checksummed."""
import importlib
import os
import pickle
import tarfile

import numpy as np

from akid.checks import check_choice, check_flag
from akid.sources.download import (OFFICIAL, data_path, ensure_files, expected_digests,
                                   url_folder)
from akid.sources.source import Source
from akid.sources.zca import gcn_whitened

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
    """The shared reader of the CIFAR tarballs (subclassed for CIFAR-10 and -100, python and
    binary).

    Subclasses set `file_name`, `digests`, `folder` (inside the tarball),
    `train_members`, `test_member`, `label_key` and `data_dir` (the default
    work_dir under `data_path()`), and `_parse(member, payload, label_key)`
    turns one member's bytes into (images, labels). The tarball is read
    straight from `work_dir`; when it is not there but its members are,
    extracted under `work_dir/<folder>/` (as akid left them), those are read
    and nothing is downloaded. `use_zca=True` gives akid's GCN + ZCA whitened
    images (akid.sources.zca). `val_from_test` says where the validation split
    comes from: the last `num_val` training images (today's sources), or the
    first `num_val` test images (akid's TF sources).
    """

    file_name = digests = folder = label_key = data_dir = None
    train_members = test_member = ()
    val_from_test = False

    def __init__(self, url=CIFAR_URL, work_dir=None, center=False, scale=None, num_train=None,
                 num_val=5000, sha256=OFFICIAL, name=None, label_key=None, use_zca=False):
        self.use_zca = check_flag(type(self).__name__, "use_zca", use_zca)
        if use_zca and (scale or center):
            raise ValueError(f"{type(self).__name__}: use_zca=True gives whitened images, "
                             f"which scale=True / center=True would change; leave them unset")
        super().__init__(center=center, scale=not use_zca if scale is None else scale,
                         num_train=num_train, num_val=num_val, name=name)
        self.url = url
        self.work_dir = os.fspath(work_dir) if work_dir is not None else data_path(self.data_dir)
        batches = self._read(sha256, label_key or self.label_key)
        x = np.concatenate([batches[m][0] for m in self.train_members])
        y = np.concatenate([batches[m][1] for m in self.train_members])
        test = batches[self.test_member]
        if self.use_zca:
            x, test_x = gcn_whitened(self._describe(), self.work_dir, x, test[0])
            test = (test_x, test[1])
        if self.val_from_test:
            self._set_data(train=(x, y), val=test, test=test)
        else:
            self._set_data_holding_out((x, y), num_val, test, origin=self.file_name)

    def _members(self):
        """{path inside the tarball: member name} of the members read."""
        return {f"{self.folder}/{m}": m for m in (*self.train_members, self.test_member)}

    def _read(self, sha256, label_key):
        """{member: ((N, 32, 32, 3) uint8 images, (N,) labels)}, from the tarball (fetched
        and checked as `sha256` says) or from its extracted members."""
        wanted = self._members()
        extracted = {path: os.path.join(self.work_dir, path) for path in wanted}
        if not os.path.isfile(os.path.join(self.work_dir, self.file_name)) \
                and all(os.path.isfile(p) for p in extracted.values()):
            found = {}
            for path, local in extracted.items():
                with open(local, "rb") as f:
                    found[wanted[path]] = self._parse(path, f, label_key)
            return found
        digests = expected_digests(self._describe(), self.digests, sha256)
        tarball = ensure_files(url_folder(self.url), self.work_dir, digests)[self.file_name]
        found = {}
        with tarfile.open(tarball, "r:gz") as tar:
            for member in tar:
                if member.name in wanted and member.isfile():
                    with tar.extractfile(member) as f:
                        found[wanted[member.name]] = self._parse(member.name, f, label_key)
        missing = [name for name, m in wanted.items() if m not in found]
        if missing:
            raise ValueError(f"{self._describe()}: {tarball} lacks {', '.join(missing)}; is it "
                             f"{self.file_name}?")
        return found

    def _parse(self, member, f, label_key):
        """(images, labels) of the pickled batch dict in file `f`."""
        batch = _ArrayUnpickler(f, encoding="bytes").load()
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
        return chw_rows_to_images(data), labels.astype(np.int32)


def chw_rows_to_images(rows):
    """(N, 3072) rows, each the red, green, then blue 32x32 plane row-major (CIFAR's layout),
    as (N, 32, 32, 3) images."""
    return np.ascontiguousarray(rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))


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

    akid's arguments work: `url` may name a file (akid's examples give
    `.../cifar-10-binary.tar.gz`; its folder is used), the extracted
    `cifar-10-batches-py/` akid left is read when the tarball is gone, and
    `use_zca=True` reads (or makes) akid's GCN + ZCA whitened images. Unlike
    akid, whose validation images were the test batch, validation is held out
    of the training images here (akid's split: Cifar10TFSource).

    Args:
      url: the folder the tarball is fetched from, as `url + file_name`
        (None: never download).
      work_dir: where it lives; default `data_path("cifar10")`.
      center, scale: as for `Source`; scale (pixels to [0, 1] float32) is on
        by default, off with use_zca.
      num_train: how many training images to use (None: all not in val).
      num_val: how many of the last training images form the validation split.
      sha256: "official" (default): check the tarball's official digest;
        None, or {file name: None}: trust the tarball as it is; a hex digest,
        or {file name: digest}: check that digest instead.
      name: the source's name.
      use_zca: akid's GCN + ZCA whitened float32 images (akid.sources.zca).

    Example:
      >>> source = Cifar10FeedSource(scale=False)   # 45000 train, 5000 val, 10000 test, uint8
    """

    file_name, digests, folder = CIFAR10_FILE, CIFAR10_SHA256, "cifar-10-batches-py"
    train_members = tuple(f"data_batch_{i}" for i in range(1, 6))
    test_member = "test_batch"
    label_key, data_dir = "labels", "cifar10"

    def __init__(self, url=CIFAR_URL, work_dir=None, center=False, scale=None, num_train=None,
                 num_val=5000, sha256=OFFICIAL, name=None, use_zca=False):
        super().__init__(url=url, work_dir=work_dir, center=center, scale=scale,
                         num_train=num_train, num_val=num_val, sha256=sha256, name=name,
                         use_zca=use_zca)
        self.num_classes = 10


LABEL_MODES = ("fine", "coarse")


class Cifar100FeedSource(CifarSource):
    """CIFAR-100: 32x32x3 images of 100 fine (or 20 coarse) classes, from the python tarball.

    As Cifar10FeedSource, reading `cifar-100-python.tar.gz` (members
    cifar-100-python/train and test); `label_mode` picks the labels.

    Args:
      label_mode: "fine" (100 classes) or "coarse" (20 superclasses).
      url, work_dir (default `data_path("cifar100")`), center, scale,
      num_train, num_val, sha256, name, use_zca: as for Cifar10FeedSource.
    """

    file_name, digests, folder = CIFAR100_FILE, CIFAR100_SHA256, "cifar-100-python"
    train_members = ("train",)
    test_member = "test"
    data_dir = "cifar100"

    def __init__(self, url=CIFAR_URL, work_dir=None, center=False, scale=None, num_train=None,
                 num_val=5000, sha256=OFFICIAL, label_mode="fine", name=None, use_zca=False):
        self.label_mode = check_choice(type(self).__name__, "label_mode", label_mode,
                                       LABEL_MODES)
        super().__init__(url=url, work_dir=work_dir, center=center, scale=scale,
                         num_train=num_train, num_val=num_val, sha256=sha256, name=name,
                         label_key=f"{label_mode}_labels", use_zca=use_zca)
        self.num_classes = 100 if label_mode == "fine" else 20
