"""akid's `ImagenetTFSource` (akid/datasets/imagenet.py at cf82277): ImageNet from the files
the user has, TFRecord shards or class folders of images."""
import glob
import io
import os
import struct

import numpy as np
import PIL.Image
from tensorflow.core.example import example_pb2

from akid.checks import check_flag, check_positive_int
from akid.sources.download import data_path
from akid.sources.source import Source

IMAGE_EXTENSIONS = (".jpeg", ".jpg", ".png")
SPLIT_NAMES = {"train": ("train",), "val": ("validation", "val")}
LAYOUTS = ("TFRecord shards `train-*` and `validation-*` (as the Inception model's "
           "build_imagenet_data.py writes them), or class folders `train/<class>/*.JPEG` and "
           "`validation/<class>/*` (or `val/`)")


class ImagenetTFSource(Source):
    """ImageNet (or any image set in its layout) from `work_dir`, decoded into memory.

    Reads either layout of LAYOUTS. From TFRecords it takes `image/encoded`
    (JPEG or PNG) and `image/class/label` as they are (1-based, 0 left for
    the background class: 1001 classes for ImageNet, as akid trained), and
    with `has_super_label` also `image/class/super_label`, the second label
    array. From class folders the classes are the sorted folder names of
    `train/`, labelled 1, 2, ..., as that script would label them. Pixels
    are float32 in [0, 1] (akid's decode). Records and images are read
    without TensorFlow ops (Pillow decodes; `image_size` resizes bilinearly),
    so the source may come before a Kid whose engine splits the CPU into
    towers, as in akid's examples. Nothing is downloaded: ImageNet's
    licence needs you to fetch it yourself.

    Differences from akid, whose reader queues streamed the files: the first
    `num_train` / `num_val` images are held in memory, so read a subset of a
    large set; akid cropped a random distorted bounding box out of every
    training image as it read it, here images are whole and augmentation is
    the sensor's jokers' (CropJoker, ResizeJoker, FlipJoker, ...).

    Args:
      has_super_label: also read `image/class/super_label` (TFRecords only);
        the labels are then `(label, super_label)`.
      url: not used (akid's examples pass None).
      work_dir: the folder; default `data_path("imagenet")`.
      num_train, num_val: how many training / validation images to read
        (None: all).
      image_size: (height, width) every image is resized to; None keeps the
        images' own size, which must then be one size.
      name: the source's name.

    Example:
      >>> source = ImagenetTFSource(has_super_label=False, num_train=1000, num_val=100,
      ...                           image_size=(256, 256))
    """

    def __init__(self, has_super_label=True, url=None, work_dir=None, num_train=None,
                 num_val=None, image_size=None, name=None):
        super().__init__(scale=True, num_train=num_train, num_val=num_val, name=name)
        self.has_super_label = check_flag(self._describe(), "has_super_label", has_super_label)
        self.url = url
        self.work_dir = os.fspath(work_dir) if work_dir is not None else data_path("imagenet")
        self.image_size = None if image_size is None else tuple(
            check_positive_int(self._describe(), f"image_size[{i}]", v)
            for i, v in enumerate(image_size))
        splits = {split: self._read(split, self._limits[split]) for split in SPLIT_NAMES}
        self._set_data(**splits)
        self.num_classes = int(max(np.max(y[0] if isinstance(y, tuple) else y)
                                   for _, y in splits.values())) + 1

    def _read(self, split, limit):
        """(images, labels) of `split` from its shards, or else from its class folders."""
        for prefix in SPLIT_NAMES[split]:
            shards = sorted(glob.glob(os.path.join(self.work_dir, f"{prefix}-*")))
            if shards:
                return self._from_records(shards, limit)
        for folder in SPLIT_NAMES[split]:
            if os.path.isdir(os.path.join(self.work_dir, folder)):
                if self.has_super_label:
                    raise ValueError(f"{self._describe()}: class folders have no super "
                                     f"labels; pass has_super_label=False")
                return self._from_folders(os.path.join(self.work_dir, folder), limit)
        raise FileNotFoundError(f"{self._describe()}: found no {split} images in "
                                f"{self.work_dir}; it should hold {LAYOUTS}")

    def _from_records(self, shards, limit):
        keys = ["image/class/label"] + (["image/class/super_label"] if self.has_super_label
                                        else [])
        images, labels = [], []
        for shard, raw in read_records(self._describe(), shards, limit):
            features = example_pb2.Example.FromString(raw).features.feature
            missing = [k for k in ["image/encoded", *keys] if k not in features]
            if missing:
                raise ValueError(f"{self._describe()}: a record in {shard} lacks "
                                 f"{', '.join(missing)} (has_super_label="
                                 f"{self.has_super_label})")
            images.append(self._decode(features["image/encoded"].bytes_list.value[0], shard))
            labels.append([int(features[k].int64_list.value[0]) for k in keys])
        labels = np.asarray(labels, np.int32).reshape(len(images), -1)
        return self._stack(images, shards[0]), tuple(labels.T) if self.has_super_label \
            else labels[:, 0]

    def _from_folders(self, folder, limit):
        classes = sorted(d for d in os.listdir(os.path.join(self.work_dir, "train"))
                         if os.path.isdir(os.path.join(self.work_dir, "train", d)))
        files = [(os.path.join(folder, c, f), label + 1) for label, c in enumerate(classes)
                 if os.path.isdir(os.path.join(folder, c))
                 for f in sorted(os.listdir(os.path.join(folder, c)))
                 if f.lower().endswith(IMAGE_EXTENSIONS)]
        files = files if limit is None else files[:limit]
        images = []
        for path, _ in files:
            with open(path, "rb") as f:
                images.append(self._decode(f.read(), path))
        return self._stack(images, folder), np.array([label for _, label in files], np.int32)

    def _decode(self, encoded, where):
        """(H, W, 3) uint8 pixels of a JPEG or PNG file's bytes, resized to image_size."""
        try:
            image = PIL.Image.open(io.BytesIO(encoded)).convert("RGB")
        except (PIL.UnidentifiedImageError, OSError):
            raise ValueError(f"{self._describe()}: an image in {where} is not a JPEG or PNG "
                             f"file") from None
        if self.image_size is not None:
            height, width = self.image_size
            image = image.resize((width, height), PIL.Image.BILINEAR)
        return np.asarray(image, np.uint8)

    def _stack(self, images, where):
        sizes = sorted({image.shape for image in images})
        if len(sizes) > 1:
            raise ValueError(f"{self._describe()}: the images in {where} have {len(sizes)} "
                             f"sizes ({sizes[0][:2]}, {sizes[-1][:2]}, ...); pass "
                             f"image_size=(height, width) to resize them to one")
        return np.stack(images) if images else np.zeros((0, 1, 1, 3), np.uint8)


def read_records(owner, shards, limit=None):
    """(shard, record bytes) of TFRecord files, at most `limit` records, read in Python:
    no TensorFlow op runs, so a Kid made afterwards may still split the CPU into towers
    (the data_parallel engine), as it may after akid's sources. CRCs are not checked."""
    count = 0
    for shard in shards:
        with open(shard, "rb") as f:
            while limit is None or count < limit:
                header = f.read(12)  # the record's length (uint64) and its CRC
                if not header:
                    break
                (length,) = struct.unpack("<Q", header[:8]) if len(header) == 12 else (-1,)
                record = f.read(length) if length >= 0 else b""
                if length < 0 or len(record) < length or len(f.read(4)) < 4:
                    raise ValueError(f"{owner}: {shard} is not a TFRecord file, or it is "
                                     f"truncated (record {count + 1})")
                count += 1
                yield shard, record
