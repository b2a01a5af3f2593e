"""cnn_block: akid's template of conv -> [pool] -> [bn] -> activation -> [dropout];
`classifier_head`, the zoo's fully connected layers, loss and accuracy; and
`check_widths`, the check of the zoo's lists of layer widths."""
from akid.checks import check_positive_int, describe
from akid.blocks.layers import (AccuracyLayer, BatchNormalizationLayer, ConvolutionLayer,
                                DropoutLayer, InnerProductLayer, PoolingLayer,
                                SoftmaxWithLossLayer, make_activation)
from akid.brains.brain import Brain


AKID_POOL = (2, 2)  # akid's default window and stride: a convolution block pools 2x2


def cnn_block(ksize=None, init_para=None, wd=None, out_channel_num=32, pool_size=AKID_POOL,
              pool_stride=AKID_POOL, activation={"type": "relu"}, keep_prob=None,  # noqa: B006
              bn=None, name=None, padding=None, conv_stride=(1, 1), pool_type="max",
              initial_bias_value=0.0, activation_before_pooling=False, conv_padding=None,
              max_norm=None):
    """akid's block template, as a small Brain: a convolution (or, with ksize=None, an
    inner product), then pooling, batch norm, an activation and dropout.

    As in akid, a convolution block pools (2x2, stride 2) unless `pool_size=None`, and
    pools right after the convolution; `activation_before_pooling=True` moves batch norm
    and the activation before the pooling (conv -> bn -> activation -> pool).

    Args:
      ksize: convolution kernel [h, w]; None makes the block fully connected (no pooling).
      init_para, wd: the weights' initializer and weight decay dicts (None: the layers'
        defaults, xavier and no decay).
      out_channel_num: filters (or units).
      pool_size, pool_stride: pooling window and stride [h, w]; pool_size None: no pooling.
      activation: {"type": "relu"}, {"type": "maxout", "group_size": 2}, akid's "gsmax"
        and "ngsmax", ...; None: linear.
      keep_prob: dropout keep probability; None: no dropout.
      bn: None/False for no batch norm, True or a dict of BatchNormalizationLayer args
        (akid's {"gamma_init": 1, "fix_gamma": True} included). With batch norm the
        convolution has no bias (batch norm's beta takes its place).
      name: the brain's name; None: akid's `conv<k>` / `ip<k>`, k counting the
        cnn_blocks of the brain it is attached to.
      padding: the convolution's and pooling's padding, "SAME" (default) or "VALID".
      conv_padding: akid's: the convolution's padding alone (the pooling's is "SAME").
      conv_stride: the convolution's strides [h, w].
      pool_type: "max" or "avg".
      initial_bias_value: the bias's initial value; None: no bias.
      max_norm: akid's max-norm constraint of the weights (see WeightedLayer).

    Returns: a Brain whose blocks are named conv/ip, pool, bn, activation, dropout.
    """
    block = Brain(name=name)
    if name is None:
        block.akid_template = "conv" if ksize is not None else "ip"
    if ksize is None and pool_size is not AKID_POOL and pool_size is not None:
        raise ValueError(f"{describe(block)}: pool_size={pool_size!r} needs a convolution; "
                         f"give ksize, or drop pool_size for a fully connected block")
    weights = dict(out_channel_num=out_channel_num, init_para=init_para, wd=wd,
                   max_norm=max_norm)
    if ksize is not None:
        block.attach(ConvolutionLayer(ksize=ksize, strides=conv_stride,
                                      padding=conv_padding or padding or "SAME",
                                      initial_bias_value=None if bn else initial_bias_value,
                                      name="conv", **weights))
    else:
        block.attach(InnerProductLayer(initial_bias_value=initial_bias_value, name="ip",
                                       **weights))
    pool = None
    if ksize is not None and pool_size is not None:
        pool = PoolingLayer(ksize=pool_size, strides=pool_stride or pool_size,
                            padding=padding or "SAME", type=pool_type, name="pool")
    if pool is not None and not activation_before_pooling:
        block.attach(pool)
    if bn:
        block.attach(BatchNormalizationLayer(**(bn if isinstance(bn, dict) else {}), name="bn"))
    if activation is not None:
        block.attach(make_activation(activation, name="activation", owner=describe(block)))
    if pool is not None and activation_before_pooling:
        block.attach(pool)
    if keep_prob is not None:
        block.attach(DropoutLayer(keep_prob=keep_prob, name="dropout"))
    return block


def classifier_head(brain, fc_units, class_num, wd=None, keep_prob=None, names=None):
    """Attaches to `brain` hidden fully connected layers, the classifier, loss and accuracy.

    Args:
      fc_units: widths of the hidden layers (ReLU, then dropout if `keep_prob`).
      class_num: width of the classifier, a linear inner product.
      wd: weight decay dict of every weight.
      keep_prob: dropout keep probability; None or 1.0: no dropout.
      names: the names of the hidden layers and the classifier, one more than
        `fc_units` (default fc1, fc2, ..., ip).
    """
    names = names or [f"fc{i + 1}" for i in range(len(fc_units))] + ["ip"]
    keep_prob = None if keep_prob == 1.0 else keep_prob
    for units, name in zip(fc_units, names):
        brain.attach(cnn_block(out_channel_num=units, wd=wd, keep_prob=keep_prob, name=name))
    brain.attach(InnerProductLayer(out_channel_num=class_num, wd=wd, name=names[-1]))
    brain.attach(SoftmaxWithLossLayer(class_num=class_num, name="loss"))
    brain.attach(AccuracyLayer(name="accuracy"))


def check_widths(brain, param, value, length=None):
    """Returns `value` (widths of layers) as a tuple of positive ints, `length` of them if given.

    Not a list or tuple: TypeError; another length: ValueError; each width is
    checked by `check_positive_int`. Errors name `brain` and echo the value.
    """
    wanted = f"{length if length is not None else 'a list of'} positive ints"
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{describe(brain)}: {param} must be {wanted}, got {value!r} "
                        f"({type(value).__name__})")
    if length is not None and len(value) != length:
        raise ValueError(f"{describe(brain)}: {param} must be {wanted}, got {value!r}")
    return tuple(check_positive_int(brain, f"{param}[{i}]", v) for i, v in enumerate(value))
