"""MNIST from the four official IDX files, downloaded and checksummed on first use."""
import os

import numpy as np

from akid.sources.download import OFFICIAL, data_path, ensure_files, expected_digests
from akid.sources.idx import read_idx
from akid.sources.source import Source

MNIST_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
# As in tensorflow_datasets' url_checksums/mnist.txt for the mirror above.
MNIST_SHA256 = {
    TRAIN_IMAGES: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    TRAIN_LABELS: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    TEST_IMAGES: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    TEST_LABELS: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}


class MNISTFeedSource(Source):
    """MNIST digits: 28x28x1 images, 10 classes, read from the official IDX files.

    The constructor loads eagerly: it makes sure the four files are in
    `work_dir` (downloading any that are missing, atomically and checked),
    then reads them. A file already there that fails its SHA-256 check is
    never touched: a ChecksumError names it, both digests and the ways on.
    The validation split is the last `num_val` images of the training file,
    the training split the first `num_train` of the rest; the test file is
    the test split. Normalization is `Source`'s (`scale=False`
    with `center=False` keeps raw uint8 pixels).

    Args:
      url: the folder the files are fetched from, as `url + file_name`.
      work_dir: where the files live; default `data_path("mnist")`.
      center, scale: as for `Source`.
      num_train: how many training images to use (None: all not in val).
      num_val: how many images at the end of the training file form the
        validation split (0 or None: no validation split).
      sha256: "official" (default): check each file against `MNIST_SHA256`;
        None: trust the four files as they are (your own copy of MNIST);
        {file name: hex digest, or None to trust that file}: override the
        files named, the others keep their official digest.
      name: the source's name.

    Example:
      >>> source = MNISTFeedSource(num_val=5000)   # 55000 train, 5000 val, 10000 test
    """

    def __init__(self, url=MNIST_URL, work_dir=None, center=False, scale=True, num_train=None,
                 num_val=5000, sha256=OFFICIAL, name=None):
        super().__init__(center=center, scale=scale, num_train=num_train, num_val=num_val,
                         name=name)
        self.url = url
        self.work_dir = os.fspath(work_dir) if work_dir is not None else data_path("mnist")
        digests = expected_digests(self._describe(), MNIST_SHA256, sha256)
        paths = ensure_files(url, self.work_dir, digests)
        x, y = self._read(paths, TRAIN_IMAGES, TRAIN_LABELS)
        self._set_data_holding_out((x, y), num_val, self._read(paths, TEST_IMAGES, TEST_LABELS),
                                   origin=TRAIN_IMAGES)
        self.num_classes = 10

    def _read(self, paths, images_file, labels_file):
        """Returns (N, 28, 28, 1) uint8 images and (N,) labels, checked against each other."""
        images, labels = read_idx(paths[images_file]), read_idx(paths[labels_file])
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise ValueError(f"{self._describe()}: {images_file} should hold (N, 28, 28) "
                             f"images, got shape {images.shape}")
        if labels.shape != images.shape[:1]:
            raise ValueError(f"{self._describe()}: {labels_file} has labels of shape "
                             f"{labels.shape} for {len(images)} images in {images_file}")
        return images[..., np.newaxis], labels
