"""Source: in-memory numpy arrays per split, the data every sensor reads from.

An example is `(x, y)`; either side may hold several arrays (a tuple, or a dict
kept as a tuple in its key order): a brain with two inputs and two outputs
reads `((xa, xb), (y1, y2))`, which a Kid feeds it as `system_in`
`[xa, xb, y1, y2]`.
"""
import numpy as np
import tensorflow as tf

from akid.checks import check_choice, check_count, check_flag, check_positive_int, snake_case

SPLITS = ("train", "val", "test")


def each(function, side):
    """`function` applied to every array of one side of an example (an array or a tuple)."""
    return tf.nest.map_structure(function, side)


def first(side):
    """The first array of one side of an example: the one that sets its length."""
    return tf.nest.flatten(side)[0]


class Source:
    """Base of every data source: holds `(x, y)` numpy arrays for train, val and test.

    A subclass loads its data in its constructor and hands it to `_set_data`,
    which applies the `num_train` / `num_val` limits and normalizes once:

    - `scale=True` maps 0..255 pixel values to [0, 1] as float32;
    - `center=True` then subtracts `mean`, the scalar mean of the (scaled)
      training images, from every split (with several inputs, each input its
      own mean, `mean` a tuple).

    With neither, images keep their dtype (e.g. uint8 raw bytes; float64 becomes
    float32). Integer labels become int32, float labels float32.

    Several inputs or label arrays: `x` and `y` may each be a tuple of arrays
    of one length, or a dict (kept as a tuple in key order; the keys are
    `input_names` / `label_names`). A list is one array, as numpy reads it.

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
        self.input_names = self.label_names = None

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
        data, layout = {}, None
        for split, pair in zip(SPLITS, (train, val, test)):
            if pair is None:
                continue
            x, y, names = self._check_pair(split, pair)
            if layout is None:
                layout = (split, names)
            elif names != layout[1]:
                raise ValueError(f"{self._describe()}: the {split} split holds "
                                 f"{_layout(names)}, but the {layout[0]} split "
                                 f"{_layout(layout[1])}; every split must hold the same")
            limit = self._limits[split]
            if limit is not None:
                if limit > len(first(x)):
                    raise ValueError(f"{self._describe()}: num_{split}={limit} is more than "
                                     f"the {len(first(x))} {split} examples available")
                x, y = each(lambda a: a[:limit], (x, y))
            if len(first(x)):
                data[split] = (x, y)
        if layout is not None:
            self.input_names, self.label_names = (
                names if isinstance(names, tuple) else None for names in layout[1])
        self._data = self._normalize(data)
        self._cursors = {split: 0 for split in SPLITS}

    def _set_data_holding_out(self, train, num_val, test, origin):
        """`_set_data` with the last `num_val` of `train` as the validation split.

        `origin` names where `train` came from, for the error when it is too small.
        """
        x, y = train
        size = len(first(x))
        num_val = check_count(self._describe(), "num_val", num_val, allow_none=True) or 0
        if num_val > size:
            raise ValueError(f"{self._describe()}: num_val={num_val} is more than the "
                             f"{size} training examples in {origin}")
        cut = size - num_val
        self._set_data(train=each(lambda a: a[:cut], (x, y)),
                       val=each(lambda a: a[cut:], (x, y)), test=test)

    def _check_pair(self, split, pair):
        """`pair` as `(x, y, (x names, y names))`: each side an array or a tuple of arrays,
        all of one length, x of rank >= 1. A side's names are its dict keys, or its
        number of arrays (1: a plain array)."""
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"{self._describe()}: the {split} split must be an (x, y) pair, "
                            f"got {type(pair).__name__}")
        (x, x_names), (y, y_names) = (self._side(split, side, value)
                                      for side, value in zip("xy", pair))
        parts = [(side if not isinstance(value, tuple) else f"{side}[{i}]", array)
                 for side, value in (("x", x), ("y", y))
                 for i, array in enumerate(tf.nest.flatten(value))]
        if parts[0][1].ndim < 1:
            raise ValueError(f"{self._describe()}: {split} {parts[0][0]} must have rank >= 1 "
                             f"(examples first), got shape {parts[0][1].shape}")
        length = len(parts[0][1])
        for part, array in parts[1:]:
            if array.ndim < 1 or len(array) != length:
                raise ValueError(
                    f"{self._describe()}: the {split} split has {length} examples in "
                    f"{parts[0][0]} but {len(array) if array.ndim else 'a scalar'} in {part}; "
                    f"every array of x and y must have the same length (examples first)")
        x = each(lambda a: a.astype(np.float32) if a.dtype == np.float64 else a, x)
        return x, each(_label_dtype, y), (x_names, y_names)

    def _side(self, split, side, value):
        """One side of a pair as (an array or a tuple of arrays, its names or count)."""
        if isinstance(value, dict):
            names, value = tuple(value), tuple(value.values())
        elif isinstance(value, tuple):
            names = len(value)
        else:
            return np.asarray(value), 1
        if not value:
            raise ValueError(f"{self._describe()}: the {split} split's {side} is an empty "
                             f"{'dict' if isinstance(names, tuple) else 'tuple'}; give at "
                             f"least one array")
        arrays = tuple(np.asarray(a) for a in value)
        return (arrays[0] if len(arrays) == 1 else arrays), (names if isinstance(names, tuple)
                                                           else len(arrays))

    def _normalize(self, data):
        """Applies `scale` and `center` (see the class docstring) to every split."""
        if not (self.scale or self.center):
            return data
        out = {}
        for split, (x, y) in data.items():
            x = each(lambda a: a.astype(np.float32), x)
            if self.scale:
                x = each(lambda a: a / np.float32(255.0), x)
            out[split] = (x, y)
        if self.center:
            if "train" not in out:
                raise ValueError(f"{self._describe()}: center=True needs training images "
                                 f"to take the mean of, but there is no train split")
            self.mean = each(lambda a: float(a.mean(dtype=np.float64)), out["train"][0])
            for split, (x, y) in out.items():
                out[split] = (tf.nest.map_structure(lambda a, m: a - np.float32(m), x,
                                                    self.mean), y)
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
        return len(first(self._data[split][0])) if split in self._data else 0

    @property
    def shape(self):
        """The shape of one example, e.g. (28, 28, 1); a tuple of them for several inputs."""
        for split in SPLITS:
            if split in self._data:
                return each(lambda a: tuple(a.shape[1:]), self._data[split][0])
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
        size = len(first(x))
        idx = (self._cursors[split] + np.arange(n)) % size
        self._cursors[split] = int(idx[-1] + 1) % size
        return each(lambda a: a[idx], x), each(lambda a: a[idx], y)

    def dataset(self, split):
        """Returns an unbatched `tf.data.Dataset` of the `(x, y)` examples of `split`."""
        return tf.data.Dataset.from_tensor_slices(self.arrays(split))


def _label_dtype(labels):
    """Integer labels as int32, float labels as float32, others as they are."""
    if np.issubdtype(labels.dtype, np.integer):
        return labels.astype(np.int32)
    if np.issubdtype(labels.dtype, np.floating):
        return labels.astype(np.float32)
    return labels


def _layout(names):
    """How an error names what a split holds: `(x names, y names)` of `_check_pair`."""
    return " and ".join(f"{side} {list(n)}" if isinstance(n, tuple) else
                        f"{n} {side} array(s)" for side, n in zip("xy", names))


class ArraySource(Source):
    """A source over the user's own `(x, y)` arrays.

    Args:
      train: `(x, y)` training arrays, examples along the first axis, or None
        (a source to evaluate on, with val or test only); x and y may each be a
        tuple or dict of arrays (several inputs, several label arrays).
      val: `(x, y)` validation arrays, or None.
      test: `(x, y)` test arrays, or None.
      center, scale, num_train, num_val, name: as for `Source`; `scale`
        assumes pixel values in 0..255 and is off by default here.
      num_classes: the number of classes; default: max(label) + 1 for integer
        labels (of the first label array when there are several), None otherwise.

    Example:
      >>> x = np.random.rand(100, 28, 28, 1).astype("float32")
      >>> source = ArraySource(train=(x[:90], np.arange(90) % 10), val=(x[90:], np.arange(10)))
      >>> two = ArraySource(train=((x, x[:, ::2]), (np.arange(100) % 10, x.mean((1, 2, 3)))))
    """

    def __init__(self, train=None, val=None, test=None, center=False, scale=False,
                 num_classes=None, name=None, num_train=None, num_val=None):
        super().__init__(center=center, scale=scale, num_train=num_train, num_val=num_val,
                         name=name)
        if train is None and val is None and test is None:
            raise ValueError(f"{self._describe()}: give at least one (x, y) pair: train=, "
                             f"val= or test= (e.g. test=(x, y) to evaluate a trained brain)")
        self._set_data(train=train, val=val, test=test)
        labels = [first(y) for _, y in self._data.values()]
        integer = bool(labels) and np.issubdtype(labels[0].dtype, np.integer)
        if num_classes is None:
            self.num_classes = int(max(y.max() for y in labels)) + 1 if integer else None
        else:
            self.num_classes = check_positive_int(self._describe(), "num_classes", num_classes)
