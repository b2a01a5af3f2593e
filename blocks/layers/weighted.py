"""WeightedLayer: the shared base of layers with weights and a bias."""
import tensorflow as tf

from akid.blocks.block import Block
from akid.checks import check_flag, check_number, describe
from akid.blocks.initializers import check_init_para, check_wd

# Today's defaults, kept over akid's on purpose (see the README's "Coming from akid"):
# xavier scales with each layer's fan-in and fan-out, and weight decay is a choice the
# model's code shows. akid's were truncated_normal 0.1 and L2 5e-4: pass them to get them.
DEFAULT_INIT = {"name": "xavier"}
DEFAULT_WD = None
AKID_INIT = {"name": "truncated_normal", "stddev": 0.1}
AKID_WD = {"type": "l2", "scale": 5e-4}


class WeightedLayer(Block):
    """A layer with a weight tensor (initialized by `init_para`, decayed by `wd`) and a bias.

    Args:
      init_para: initializer dict for the weights, e.g. {"name": "truncated_normal", "stddev": 0.1};
        None: `DEFAULT_INIT` (xavier).
      wd: weight decay dict for the weights, e.g. {"type": "l2", "scale": 5e-4}; None for none.
      initial_bias_value: the bias's initial value; None for no bias.
      max_norm: akid's max-norm constraint: after every update, each output channel's
        filter (the weights along every axis but the last) is scaled back to an L2 norm of
        at most `max_norm`; None: no constraint.
      do_stat_on_norm: akid's flag for summaries of the filters' norms, kept for the Kid's
        summaries.
    """

    float_input = True
    min_rank = 2
    input_layout = "(N, ...)"
    rank_hint = "add a batch axis, e.g. x[None]"
    has_variables = True

    def __init__(self, init_para=None, wd=DEFAULT_WD, initial_bias_value=0.0, max_norm=None,
                 do_stat_on_norm=False, **kwargs):
        _refuse_pre_release_arguments(type(self).__name__, kwargs)
        super().__init__(**kwargs)
        self.init_para = check_init_para(describe(self), init_para or DEFAULT_INIT)
        self.wd = check_wd(describe(self), wd)
        self.initial_bias_value = check_number(self, "initial_bias_value", initial_bias_value,
                                               allow_none=True)
        self.max_norm = check_number(self, "max_norm", max_norm, low=0.0, low_open=True,
                                     allow_none=True)
        self.do_stat_on_norm = check_flag(self, "do_stat_on_norm", do_stat_on_norm)
        self.bias = None

    def _make_weights_and_bias(self, shape):
        self.weights = self.make_variable("weights", shape, self.init_para, self.wd,
                                          constraint=self._clip_filters if self.max_norm else None)
        if self.initial_bias_value is not None:
            self.bias = self.make_variable(
                "bias", [shape[-1]], {"name": "constant", "value": self.initial_bias_value})

    def _clip_filters(self, weights):
        return tf.clip_by_norm(weights, self.max_norm, axes=list(range(len(weights.shape) - 1)))

    def _add_bias(self, x):
        return x if self.bias is None else x + self.bias


def _refuse_pre_release_arguments(owner, kwargs):
    """`stddev=` and `weight_decay=`, which akid's CIFAR-10 maxout examples pass, predate
    akid's first commit (its layers took `init_para` and `wd` and raised a TypeError on
    these): an error that gives the two dicts they mean."""
    stale = [name for name in ("stddev", "weight_decay") if name in kwargs]
    if stale:
        stddev, scale = kwargs.get("stddev", 0.1), kwargs.get("weight_decay", 5e-4)
        verb = "are not arguments" if len(stale) == 2 else "is not an argument"
        raise TypeError(f"{owner} '{kwargs.get('name', '')}': {' and '.join(stale)} {verb} "
                        f"(nor in any version of akid's layers); write "
                        f"init_para={{'name': 'truncated_normal', 'stddev': {stddev!r}}}, "
                        f"wd={{'type': 'l2', 'scale': {scale!r}}}")
