"""WeightedLayer: the shared base of layers with weights and a bias."""
from akid.blocks.block import Block
from akid.checks import check_number, describe
from akid.blocks.initializers import check_init_para, check_wd

DEFAULT_INIT = {"name": "xavier"}


class WeightedLayer(Block):
    """A layer with a weight tensor (initialized by `init_para`, decayed by `wd`) and a bias.

    Args:
      init_para: initializer dict for the weights, e.g. {"name": "truncated_normal", "stddev": 0.1}.
      wd: weight decay dict for the weights, e.g. {"type": "l2", "scale": 5e-4}; None for none.
      initial_bias_value: the bias's initial value; None for no bias.
    """

    float_input = True
    min_rank = 2
    input_layout = "(N, ...)"
    rank_hint = "add a batch axis, e.g. x[None]"

    def __init__(self, init_para=None, wd=None, initial_bias_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.init_para = check_init_para(describe(self), init_para or DEFAULT_INIT)
        self.wd = check_wd(describe(self), wd)
        self.initial_bias_value = check_number(self, "initial_bias_value", initial_bias_value,
                                               allow_none=True)
        self.bias = None

    def _make_weights_and_bias(self, shape):
        self.weights = self.make_variable("weights", shape, self.init_para, self.wd)
        if self.initial_bias_value is not None:
            self.bias = self.make_variable(
                "bias", [shape[-1]], {"name": "constant", "value": self.initial_bias_value})

    def _add_bias(self, x):
        return x if self.bias is None else x + self.bias
