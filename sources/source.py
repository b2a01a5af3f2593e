"""Source: in-memory numpy arrays per split, the data every sensor reads from."""
import numpy as np
import tensorflow as tf

from akid.checks import check_choice, check_count, check_flag, check_positive_int, snake_case

SPLITS = ("train", "val", "test")


class Source:
    """Base of every data source: holds `(x, y)` numpy arrays for train, val and test.

    A subclass loads its data in its constructor and hands it to `_set_data`,
    which applies the `num_train` / `num_val` limits and normalizes once:

    - `scale=True` maps 0..255 pixel values to [0, 1] as float32;
    - `center=True` then subtracts `mean`, the scalar mean of the (scaled)
      training images, from every split.

    With neither, images keep their dtype (e.g. uint8 raw bytes; float64 becomes
    float32). Integer labels become int32, float labels float32.

    Args:
      center: subtract the training images' mean from every split.
      scale: divide pixel values by 255.
      num_train: how many training examples to use (None: all available).
      num_val: how many validation examples to use (None: all available).
      name: the source's name; default: the snake_case class name.

    Example:
      >>> source = ArraySource(train=(np.zeros((8, 2)), np.arange(8)))
      >>> images, labels = source.get_batch(4)
    """

    def __init__(self, center=False, scale=True, num_train=None, num_val=None, name=None):
        self.name = name or snake_case(type(self).__name__)
        owner = self._describe()
        self.center = check_flag(owner, "center", center)
        self.scale = check_flag(owner, "scale", scale)
        self._limits = {"train": check_count(owner, "num_train", num_train, allow_none=True),
                        "val": check_count(owner, "num_val", num_val, allow_none=True),
                        "test": None}
        self._data = {}
        self._cursors = {split: 0 for split in SPLITS}
        self.mean = None
        self.num_classes = None

    def _describe(self):
        return f"{type(self).__name__} '{self.name}'"

    def __repr__(self):
        return (f"{type(self).__name__}(name={self.name!r}, num_train={self.num_train}, "
                f"num_val={self.num_val}, num_test={self.num_test}, shape={self.shape})")

    # -- loading ---------------------------------------------------------------

    def _set_data(self, train=None, val=None, test=None):
        """Checks, limits and normalizes the splits, then stores them.

        Args:
          train, val, test: `(x, y)` pairs or None; an empty split counts as none.
        """
        data = {}
        for split, pair in zip(SPLITS, (train, val, test)):
            if pair is None:
                continue
            x, y = self._check_pair(split, pair)
            limit = self._limits[split]
            if limit is not None:
                if limit > len(x):
                    raise ValueError(f"{self._describe()}: num_{split}={limit} is more than "
                                     f"the {len(x)} {split} examples available")
                x, y = x[:limit], y[:limit]
            if len(x):
                data[split] = (x, y)
        self._data = self._normalize(data)
        self._cursors = {split: 0 for split in SPLITS}

    def _set_data_holding_out(self, train, num_val, test, origin):
        """`_set_data` with the last `num_val` of `train` as the validation split.

        `origin` names where `train` came from, for the error when it is too small.
        """
        x, y = train
        num_val = check_count(self._describe(), "num_val", num_val, allow_none=True) or 0
        if num_val > len(x):
            raise ValueError(f"{self._describe()}: num_val={num_val} is more than the "
                             f"{len(x)} training examples in {origin}")
        cut = len(x) - num_val
        self._set_data(train=(x[:cut], y[:cut]), val=(x[cut:], y[cut:]), test=test)

    def _check_pair(self, split, pair):
        """Returns `pair` as `(x, y)` arrays of equal length with x of rank >= 1."""
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"{self._describe()}: the {split} split must be an (x, y) pair, "
                            f"got {type(pair).__name__}")
        x, y = np.asarray(pair[0]), np.asarray(pair[1])
        if x.ndim < 1:
            raise ValueError(f"{self._describe()}: {split} x must have rank >= 1 "
                             f"(examples first), got shape {x.shape}")
        if y.ndim < 1 or len(x) != len(y):
            raise ValueError(f"{self._describe()}: the {split} split has {len(x)} examples "
                             f"in x but {len(y) if y.ndim else 'a scalar'} in y; "
                             f"x and y must have the same length")
        if x.dtype == np.float64:
            x = x.astype(np.float32)
        if np.issubdtype(y.dtype, np.integer):
            y = y.astype(np.int32)
        elif np.issubdtype(y.dtype, np.floating):
            y = y.astype(np.float32)
        return x, y

    def _normalize(self, data):
        """Applies `scale` and `center` (see the class docstring) to every split."""
        if not (self.scale or self.center):
            return data
        out = {}
        for split, (x, y) in data.items():
            x = x.astype(np.float32)
            if self.scale:
                x /= np.float32(255.0)
            out[split] = (x, y)
        if self.center:
            if "train" not in out:
                raise ValueError(f"{self._describe()}: center=True needs training images "
                                 f"to take the mean of, but there is no train split")
            self.mean = float(out["train"][0].mean(dtype=np.float64))
            for x, _ in out.values():
                x -= np.float32(self.mean)
        return out

    # -- reading ---------------------------------------------------------------

    @property
    def num_train(self):
        return self._size("train")

    @property
    def num_val(self):
        return self._size("val")

    @property
    def num_test(self):
        return self._size("test")

    def _size(self, split):
        return len(self._data[split][0]) if split in self._data else 0

    @property
    def shape(self):
        """The shape of one example, e.g. (28, 28, 1)."""
        for split in SPLITS:
            if split in self._data:
                return tuple(self._data[split][0].shape[1:])
        return None

    def arrays(self, split):
        """Returns the `(x, y)` numpy arrays of `split` ("train", "val" or "test")."""
        check_choice(self._describe(), "split", split, SPLITS)
        if split not in self._data:
            raise ValueError(f"{self._describe()}: has no {split} data (splits with data: "
                             f"{', '.join(self._data) or 'none'})")
        return self._data[split]

    def get_batch(self, n, get_val=False):
        """Returns the next `n` `(images, labels)` of the train (or val) split, in order.

        Each split keeps its own cursor; batches wrap around at the split's end.

        Args:
          n: batch size, a positive int.
          get_val: read the validation split instead of the training split.
        """
        n = check_positive_int(self._describe(), "get_batch's n", n)
        split = "val" if get_val else "train"
        x, y = self.arrays(split)
        idx = (self._cursors[split] + np.arange(n)) % len(x)
        self._cursors[split] = int(idx[-1] + 1) % len(x)
        return x[idx], y[idx]

    def dataset(self, split):
        """Returns an unbatched `tf.data.Dataset` of the `(x, y)` examples of `split`."""
        return tf.data.Dataset.from_tensor_slices(self.arrays(split))


class ArraySource(Source):
    """A source over the user's own `(x, y)` arrays.

    Args:
      train: `(x, y)` training arrays, examples along the first axis, or None
        (a source to evaluate on, with val or test only).
      val: `(x, y)` validation arrays, or None.
      test: `(x, y)` test arrays, or None.
      center, scale, num_train, num_val, name: as for `Source`; `scale`
        assumes pixel values in 0..255 and is off by default here.
      num_classes: the number of classes; default: max(label) + 1 for integer
        labels, None otherwise.

    Example:
      >>> x = np.random.rand(100, 28, 28, 1).astype("float32")
      >>> source = ArraySource(train=(x[:90], np.arange(90) % 10), val=(x[90:], np.arange(10)))
    """

    def __init__(self, train=None, val=None, test=None, center=False, scale=False,
                 num_classes=None, name=None, num_train=None, num_val=None):
        super().__init__(center=center, scale=scale, num_train=num_train, num_val=num_val,
                         name=name)
        if train is None and val is None and test is None:
            raise ValueError(f"{self._describe()}: give at least one (x, y) pair: train=, "
                             f"val= or test= (e.g. test=(x, y) to evaluate a trained brain)")
        self._set_data(train=train, val=val, test=test)
        labels = [y for _, y in self._data.values()]
        integer = bool(labels) and np.issubdtype(labels[0].dtype, np.integer)
        if num_classes is None:
            self.num_classes = int(max(y.max() for y in labels)) + 1 if integer else None
        else:
            self.num_classes = check_positive_int(self._describe(), "num_classes", num_classes)
