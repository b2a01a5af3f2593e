"""cnn_block: akid's template of conv -> [bn] -> activation -> [pool] -> [dropout];
`classifier_head`, the zoo's fully connected layers, loss and accuracy; and
`check_widths`, the check of the zoo's lists of layer widths."""
from akid.checks import check_positive_int, describe
from akid.blocks.layers import (AccuracyLayer, BatchNormalizationLayer, ConvolutionLayer,
                                DropoutLayer, InnerProductLayer, PoolingLayer,
                                SoftmaxWithLossLayer, make_activation)
from akid.brains.brain import Brain


def cnn_block(ksize=None, init_para=None, wd=None, out_channel_num=32, pool_size=None,
              pool_stride=None, activation={"type": "relu"}, keep_prob=None, bn=None,  # noqa: B006
              name=None, padding="SAME", conv_stride=(1, 1), pool_type="max"):
    """A small Brain: a convolution (or, with ksize=None, an inner product), then
    optional batch norm, an activation, optional pooling and optional dropout.

    Args:
      ksize: convolution kernel [h, w]; None makes the block fully connected.
      init_para, wd: the weights' initializer and weight decay dicts.
      out_channel_num: filters (or units).
      pool_size, pool_stride: pooling window and stride [h, w]; None: no pooling.
      activation: {"type": "relu"}, {"type": "maxout", "group_size": 2}, ...; None: linear.
      keep_prob: dropout keep probability; None: no dropout.
      bn: None/False for no batch norm, True or a dict of BatchNormalizationLayer args.
      name: the brain's name.

    Returns: a Brain whose blocks are named conv/ip, bn, activation, pool, dropout.
    """
    block = Brain(name=name)
    if ksize is not None:
        block.attach(ConvolutionLayer(ksize=ksize, strides=conv_stride, padding=padding,
                                      out_channel_num=out_channel_num, init_para=init_para,
                                      wd=wd, initial_bias_value=None if bn else 0.0,
                                      name="conv"))
    else:
        block.attach(InnerProductLayer(out_channel_num=out_channel_num, init_para=init_para,
                                       wd=wd, name="ip"))
    if bn:
        block.attach(BatchNormalizationLayer(**(bn if isinstance(bn, dict) else {}), name="bn"))
    if activation is not None:
        block.attach(make_activation(activation, name="activation", owner=describe(block)))
    if pool_size is not None:
        block.attach(PoolingLayer(ksize=pool_size, strides=pool_stride or pool_size,
                                  padding=padding, type=pool_type, name="pool"))
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
