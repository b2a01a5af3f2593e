"""akid's CIFAR `TFSource`s (akid/datasets/cifar10.py, cifar100.py at cf82277) on today's sources.

akid's TF sources fed TensorFlow 1 reader queues; these hold the same images
in memory for today's tf.data sensors. As in akid, their validation split is
the official test set (its first `num_val` images), and the images are not
rescaled (akid cast the bytes to float32 0..255; here they stay uint8 until
the IntegratedSensor casts them to float32).
"""
import numpy as np

from akid.sources.cifar import (CIFAR100_FILE, CIFAR_URL, CifarSource, Cifar100FeedSource,
                                chw_rows_to_images)
from akid.sources.download import OFFICIAL

CIFAR10_BINARY_FILE = "cifar-10-binary.tar.gz"
# As pinned by tensorflow_datasets (url_checksums/cifar10.txt) for the official URL.
CIFAR10_BINARY_SHA256 = {
    CIFAR10_BINARY_FILE: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"}
RECORD_BYTES = 1 + 3072  # a label byte, then the red, green and blue 32x32 planes


class Cifar10TFSource(CifarSource):
    """akid's `Cifar10TFSource`: CIFAR-10 from the official binary tarball.

    Reads `cifar-10-binary.tar.gz` (records of a label byte and 3072 pixel
    bytes in `cifar-10-batches-bin/data_batch_1..5.bin` and `test_batch.bin`),
    or those files extracted in `work_dir` as akid left them; downloads and
    checks the tarball as every source does. The training split is the first
    `num_train` training images, the validation split the first `num_val`
    test images (akid's split), the test split all test images.

    Args:
      url: the tarball's URL (akid's) or its folder; None: never download.
      work_dir: where it lives; default `data_path("cifar10")`.
      num_train, num_val: how many training / test images to use (None: all).
      use_zca: akid's GCN + ZCA whitened float32 images (akid.sources.zca)
        instead of the raw pixels.
      sha256: "official", None or a digest, as for Cifar10FeedSource.
      center, scale: as for `Source`; off, as in akid.
      name: the source's name.

    Example:
      >>> source = Cifar10TFSource(num_train=50000, num_val=10000)
    """

    file_name, digests, folder = CIFAR10_BINARY_FILE, CIFAR10_BINARY_SHA256, "cifar-10-batches-bin"
    train_members = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
    test_member = "test_batch.bin"
    label_key, data_dir = "labels", "cifar10"
    val_from_test = True

    def __init__(self, url=CIFAR_URL + CIFAR10_BINARY_FILE, work_dir=None, num_train=None,
                 num_val=None, use_zca=False, sha256=OFFICIAL, center=False, scale=False,
                 name=None):
        super().__init__(url=url, work_dir=work_dir, center=center, scale=scale,
                         num_train=num_train, num_val=num_val, sha256=sha256, name=name,
                         use_zca=use_zca)
        self.num_classes = 10

    def _parse(self, member, f, label_key):
        """(images, labels) of the fixed-length records in file `f`."""
        data = np.frombuffer(f.read(), np.uint8)
        if not data.size or data.size % RECORD_BYTES:
            raise ValueError(f"{self._describe()}: {member} should hold records of "
                             f"{RECORD_BYTES} bytes (a label and a 32x32x3 image), got "
                             f"{data.size} bytes")
        records = data.reshape(-1, RECORD_BYTES)
        return chw_rows_to_images(records[:, 1:]), records[:, 0].astype(np.int32)


class Cifar100TFSource(Cifar100FeedSource):
    """akid's `Cifar100TFSource`: CIFAR-100's GCN + ZCA whitened images and fine labels.

    akid read them from TFRecords it made of pylearn2's whitened arrays; here
    they come from `cifar-100-python.tar.gz` and akid.sources.zca (which reads
    `work_dir/pylearn2_gcn_whitened/` if it is there). The validation split is
    the first `num_val` test images, as in akid.

    Args:
      url, work_dir (default `data_path("cifar100")`), num_train, num_val,
      sha256, name: as for Cifar10TFSource.
      use_zca: False gives the raw pixels instead (not in akid).
    """

    val_from_test = True

    def __init__(self, url=CIFAR_URL + CIFAR100_FILE, work_dir=None, num_train=None,
                 num_val=None, use_zca=True, sha256=OFFICIAL, name=None):
        super().__init__(url=url, work_dir=work_dir, scale=False, num_train=num_train,
                         num_val=num_val, sha256=sha256, name=name, use_zca=use_zca)

