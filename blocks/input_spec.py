"""InputSpec: what a built block accepts from then on, as Keras's InputSpec.

A block with variables sized them from its first input, so it records, when
it is built, the rank and dtype of that input and the sizes of the axes its
variables depend on (`Block.locked_axes`); every later call is checked
against that record. A block without variables records nothing: it takes
any input its `_forward` can handle.

Example:
  ip = InnerProductLayer(out_channel_num=3, name="ip1")
  ip(tf.zeros([4, 8]))
  ip.input_spec.shape   # (None, 8)
  ip(tf.zeros([4, 4]))  # ValueError: Block 'ip1' (InnerProductLayer) was built for input
                        # shape (None, 8), got (4, 4); ...
"""
import tensorflow as tf

from akid.checks import describe

ALL = "all"  # `locked_axes` meaning every non-batch axis


class InputSpec:
    """The rank, dtype and locked axis sizes of the (first) input a block was built for.

    Args:
      rank: the input's rank, batch axis included.
      dtype: the input's dtype (a tf.DType).
      axes: {axis (>= 1): size} of the axes the block's variables depend on.
    """

    def __init__(self, rank, dtype, axes):
        self.rank, self.dtype, self.axes = rank, tf.as_dtype(dtype), dict(axes)

    @classmethod
    def built_for(cls, shape, dtype, locked_axes=ALL):
        """The spec of a block built on an input of `shape` and `dtype`.

        Args:
          shape: the input's TensorShape (batch axis first).
          dtype: the input's dtype.
          locked_axes: `ALL` (every non-batch axis) or axis indexes, negative
            ones counted from the end (e.g. (-1,): the channel axis).
        """
        rank = shape.rank
        axes = range(1, rank) if locked_axes == ALL else [a % rank for a in locked_axes]
        return cls(rank, dtype, {a: shape[a] for a in axes if a > 0 and shape[a] is not None})

    @property
    def shape(self):
        """The accepted shape: the locked sizes, None on the batch and every free axis."""
        return tuple(self.axes.get(a) for a in range(self.rank))

    def check(self, block, shape, dtype):
        """Raises a ValueError naming `block` if an input of `shape`/`dtype` does not fit."""
        shape, dtype = tf.TensorShape(shape), tf.as_dtype(dtype)
        got = tuple(shape.as_list()) if shape.rank is not None else "of unknown rank"
        fix = ("its variables were sized from its first input; feed inputs of that shape, "
               "or use another block for the new one")
        if shape.rank != self.rank:
            raise ValueError(f"{describe(block)} was built for rank-{self.rank} input shape "
                             f"{self.shape}, got shape {got}; {fix}")
        wrong = [a for a, size in self.axes.items() if shape[a] is not None and shape[a] != size]
        if wrong:
            raise ValueError(f"{describe(block)} was built for input shape {self.shape}, got "
                             f"{got}: axis {', '.join(map(str, wrong))} differs; {fix}")
        if dtype != self.dtype:
            raise ValueError(f"{describe(block)} was built for {self.dtype.name} input, got "
                             f"{dtype.name}; cast the input to {self.dtype.name} "
                             f"(e.g. Source(scale=True) or tf.cast) before it reaches this block")

    def __repr__(self):
        return f"InputSpec(shape={self.shape}, dtype={self.dtype.name})"
