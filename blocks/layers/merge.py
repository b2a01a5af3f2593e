"""MergeLayer: joins several inputs into one, by sum or concatenation."""
import tensorflow as tf

from akid.blocks.block import Block
from akid.checks import check_choice, check_int, describe


class MergeLayer(Block):
    """Sums or concatenates its inputs (residual units, inception branches).

    Args:
      mode: "sum" (shapes must match) or "concat" (along `axis`).
      axis: the concatenation axis, default the last (channels).

    Example:
      MergeLayer(mode="sum", inputs=["branch", {"name": "system_in", "idxs": [0]}])
    """

    def __init__(self, mode="sum", axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.merge_mode = check_choice(self, "mode", mode, ("sum", "concat"))
        self.axis = check_int(self, "axis", axis)

    def _setup(self, input_shapes):
        if not isinstance(input_shapes, list) or len(input_shapes) < 2:
            raise ValueError(f"{describe(self)} merges two or more inputs, got one; list them "
                             f"in inputs=[...]")
        if self.merge_mode == "sum" and any(s != input_shapes[0] for s in input_shapes):
            shapes = [tuple(s.as_list()) for s in input_shapes]
            raise ValueError(f"{describe(self)}: 'sum' needs inputs of one shape, got {shapes}")

    def _forward(self, inputs):
        if self.merge_mode == "sum":
            return tf.add_n(inputs)
        return tf.concat(inputs, axis=self.axis)
