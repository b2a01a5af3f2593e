"""akid's `RotatedMNISTFeedSource` (akid/datasets/mnist.py at cf82277): MNIST-rot, the
rotated digits of Larochelle et al. (ICML 2007), from the LISA lab's zip."""
import io
import os
import zipfile

import numpy as np

from akid.sources.download import OFFICIAL, data_path, ensure_files, expected_digests, url_folder
from akid.sources.source import Source

ROTATED_MNIST_FILE = "mnist_rotation_new.zip"
ROTATED_MNIST_URL = "http://www.iro.umontreal.ca/~lisa/icml2007data/" + ROTATED_MNIST_FILE
# The LISA lab publishes no digest for the zip and none is pinned elsewhere, so by default
# it is trusted as downloaded; pass sha256=<hex digest> to pin your copy.
ROTATED_MNIST_SHA256 = {ROTATED_MNIST_FILE: None}
TRAIN_FILE = "mnist_all_rotation_normalized_float_train_valid.amat"
TEST_FILE = "mnist_all_rotation_normalized_float_test.amat"


class RotatedMNISTFeedSource(Source):
    """MNIST-rot: 28x28x1 digits rotated by random angles; 12,000 training, 50,000 test.

    As akid did, it reads the two text (.amat) files of `mnist_rotation_new.zip`
    (each row 784 pixel values in [0, 1], then the label), from the zip in
    `work_dir` (downloaded from `url` when missing, under the download rules
    of every source) or extracted there as akid left them. The rotations are
    in the files, not drawn on the fly. The training split is the first
    `num_train` rows of the training file, the validation split the first
    `num_val` rows of the test file (akid's split), the test split all of it.

    Args:
      url: the zip's URL (akid's) or its folder; None: never download.
      work_dir: where it lives; default `data_path("rotated_mnist")`.
      center, scale: as for `Source`, off by default as in akid (the pixels
        are already in [0, 1]; akid's scale=True divided them by 255 again,
        and so does this one).
      num_train, num_val: how many training / test rows to use (None: all).
      sha256: None (default, see ROTATED_MNIST_SHA256) or the zip's hex digest.
      name: the source's name.

    Example:
      >>> source = RotatedMNISTFeedSource(num_train=12000, num_val=50000)
    """

    def __init__(self, url=ROTATED_MNIST_URL, work_dir=None, center=False, scale=False,
                 num_train=None, num_val=None, sha256=OFFICIAL, name=None):
        super().__init__(center=center, scale=scale, num_train=num_train, num_val=num_val,
                         name=name)
        self.url = url
        self.work_dir = os.fspath(work_dir) if work_dir is not None \
            else data_path("rotated_mnist")
        train, test = (self._read(rows) for rows in self._files(sha256))
        self._set_data(train=train, val=test, test=test)
        self.num_classes = 10

    def _files(self, sha256):
        """The text of the training and test files, extracted or from the zip."""
        extracted = [os.path.join(self.work_dir, name) for name in (TRAIN_FILE, TEST_FILE)]
        if all(os.path.isfile(path) for path in extracted):
            return [_read_bytes(path) for path in extracted]
        digests = expected_digests(self._describe(), ROTATED_MNIST_SHA256, sha256)
        path = ensure_files(url_folder(self.url), self.work_dir, digests)[ROTATED_MNIST_FILE]
        with zipfile.ZipFile(path) as archive:
            names = {os.path.basename(n): n for n in archive.namelist()}
            missing = [n for n in (TRAIN_FILE, TEST_FILE) if n not in names]
            if missing:
                raise ValueError(f"{self._describe()}: {path} lacks {', '.join(missing)}; is "
                                 f"it {ROTATED_MNIST_FILE}?")
            return [archive.read(names[n]) for n in (TRAIN_FILE, TEST_FILE)]

    def _read(self, text):
        """(N, 28, 28, 1) float32 images and (N,) int labels of one .amat file's text."""
        rows = np.loadtxt(io.BytesIO(text), dtype=np.float32, ndmin=2)
        if rows.shape[1] != 28 * 28 + 1:
            raise ValueError(f"{self._describe()}: rows should hold 784 pixels and a label, "
                             f"got {rows.shape[1]} values")
        return rows[:, :-1].reshape(-1, 28, 28, 1), rows[:, -1].astype(np.int32)


def _read_bytes(path):
    with open(path, "rb") as f:
        return f.read()
