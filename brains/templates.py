"""cnn_block: akid's template of conv -> [bn] -> activation -> [pool] -> [dropout];
and `check_widths`, the check of the zoo's lists of layer widths."""
from akid.checks import check_positive_int, describe
from akid.blocks.layers import (BatchNormalizationLayer, ConvolutionLayer, DropoutLayer,
                                InnerProductLayer, PoolingLayer, make_activation)
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
