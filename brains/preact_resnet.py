"""akid's residual networks (akid/models/brains.py at cf82277): pre-activation wide ResNets.

akid's `ResNet` is a base class that builds nothing itself; its subclasses
`CifarResNet` (wide ResNet for CIFAR, Zagoruyko & Komodakis 2016) and
`ImagenetResNet` attach stacks of pre-activation units (He et al. 2016,
Identity Mappings): each convolution is preceded by batch norm and ReLU, and
a unit's output is the sum of its last convolution and its shortcut. Here
akid's base is `PreActResNet` (akid's import path `akid.models.brains.ResNet`
resolves to it), since today's `ResNet` is the original CIFAR ResNet. The
blocks are one flat brain named as akid named them (`bn_3_1`, `conv_3_1`,
`conv_3_shortcut`, `merge_3`, ...).
"""
from akid.blocks.layers import (BatchNormalizationLayer, ConvolutionLayer, DropoutLayer,
                                FlattenLayer, GlobalAveragePoolingLayer, InnerProductLayer,
                                MergeLayer, PoolingLayer, ReLULayer, ShortcutPaddingLayer)
from akid.brains.akid_nets import akid_default_init, akid_msra, attach_classifier
from akid.brains.brain import Brain
from akid.checks import check_choice, check_flag, check_number, check_positive_int, describe

BASIC = ([(3, 3), None], [(3, 3), (1, 1)])  # None: the stack's stride
BOTTLENECK = ([(1, 1), (1, 1)], [(3, 3), None], [(1, 1), (1, 1)])


class PreActResNet(Brain):
    """akid's `ResNet`: the base of `CifarResNet` and `ImagenetResNet`, attaching nothing.

    Args:
      depth: the network's depth, read by the subclasses.
      width: the widening factor k of wide ResNets.
      class_num: number of classes.
      dropout_prob: dropout probability before every convolution of a unit
        but its first; None: no dropout.
      projection_shortcut: where a unit changes the channel number, a 1x1
        convolution (True) or akid's average pooling plus zero channels (False).
      use_gsmax, group_size: akid's group softmax activation, not in this akid
        (use_gsmax=True is an error).
    """

    def __init__(self, depth=28, width=2, class_num=10, dropout_prob=None,
                 projection_shortcut=True, use_gsmax=False, group_size=4, **kwargs):
        super().__init__(**kwargs)
        self.depth = check_positive_int(self, "depth", depth)
        self.width = check_positive_int(self, "width", width)
        self.class_num = check_positive_int(self, "class_num", class_num)
        self.dropout_prob = check_number(self, "dropout_prob", dropout_prob, low=0, high=1,
                                         allow_none=True)
        self.projection_shortcut = check_flag(self, "projection_shortcut", projection_shortcut)
        if check_flag(self, "use_gsmax", use_gsmax):
            raise ValueError(f"{describe(self)}: use_gsmax=True needs akid's GroupSoftmaxLayer, "
                             f"which this akid does not have; use_gsmax=False uses ReLU")
        self.use_gsmax, self.group_size = use_gsmax, group_size
        self.residual_block_No = 0
        self.use_bias = None
        self.wd = None

    def _attach_stack(self, n_input_plane, n_output_plane, count, stride, act_before_residual,
                      block_type="basic"):
        """Attaches `count` units; the first has `stride` and may change the channels."""
        check_choice(self, "block_type", block_type, ("basic", "bottleneck"))
        convs = BASIC if block_type == "basic" else BOTTLENECK
        for i in range(count):
            self._attach_block(n_input_plane if i == 0 else n_output_plane, n_output_plane,
                               stride if i == 0 else (1, 1), act_before_residual and i == 0,
                               [[ksize, s or (stride if i == 0 else (1, 1)), "SAME"]
                                for ksize, s in convs])

    def _attach_block(self, n_input_plane, n_output_plane, stride, act_before_residual,
                      conv_params):
        """One pre-activation unit: (bn, relu, [dropout], conv) per conv_params, then the sum
        with its shortcut. A unit that changes the channels and has `act_before_residual`
        branches its shortcut after the first bn-relu, otherwise from the unit's input."""
        self.residual_block_No += 1
        no = self.residual_block_No
        main_branch = self.blocks[-1].name
        bottleneck = list(conv_params[-1][0]) == [1, 1]
        for i, (ksize, conv_stride, padding) in enumerate(conv_params):
            self.attach(BatchNormalizationLayer(name=f"bn_{no}_{i}"))
            self.attach(ReLULayer(name=f"relu_{no}_{i}"))
            if i == 0 and n_input_plane != n_output_plane and act_before_residual:
                main_branch = self.blocks[-1].name
            last = i == len(conv_params) - 1
            # A bottleneck's last 1x1 widens back; in a wide net only the inner convs widen.
            out = n_output_plane * 4 // self.width if last and bottleneck else n_output_plane
            if i and self.dropout_prob:
                self.attach(DropoutLayer(keep_prob=1 - self.dropout_prob,
                                         name=f"dropout_{no}_{i}"))
            self._attach_conv(ksize, conv_stride, padding, out, f"conv_{no}_{i}")
        last_residual = self.blocks[-1].name
        shortcut = main_branch
        if n_input_plane != n_output_plane:
            if self.projection_shortcut:
                self._attach_conv((1, 1), stride, "SAME", out, f"conv_{no}_shortcut",
                                  inputs=[main_branch])
            else:
                self.attach(PoolingLayer(ksize=list(stride), strides=list(stride),
                                         padding="VALID", type="avg", inputs=[main_branch],
                                         name=f"pool_{no}_shortcut"))
                self.attach(ShortcutPaddingLayer(out, stride=1, name=f"pad_{no}_shortcut"))
            shortcut = self.blocks[-1].name
        self.attach(MergeLayer(mode="sum", inputs=[last_residual, shortcut], name=f"merge_{no}"))

    def _attach_conv(self, ksize, stride, padding, out_channel_num, name, inputs=None):
        self.attach(ConvolutionLayer(ksize=list(ksize), strides=list(stride), padding=padding,
                                     out_channel_num=out_channel_num,
                                     init_para=akid_msra(ksize, out_channel_num), wd=self.wd,
                                     initial_bias_value=self.use_bias, inputs=inputs, name=name))

    def _attach_head(self, pool_size, fan_in, loss_name="softmax"):
        """Average pool (`pool_size` VALID, or global with None), flatten, ip, loss."""
        if pool_size is None:
            self.attach(GlobalAveragePoolingLayer(name="global_pool"))
        else:
            self.attach(PoolingLayer(ksize=[pool_size, pool_size], strides=[1, 1],
                                     padding="VALID", type="avg", name="global_pool"))
        self.attach(FlattenLayer(name="reshape"))
        self.attach(InnerProductLayer(out_channel_num=self.class_num, wd=self.wd,
                                      init_para=akid_default_init(fan_in),
                                      initial_bias_value=0.0, name="ip"))
        attach_classifier(self, "ip", self.class_num, loss_name=loss_name)


class CifarResNet(PreActResNet):
    """akid's `CifarResNet`: the wide ResNet WRN-depth-width for CIFAR.

    conv0 3x3x16, three stacks of (depth - 4) / 6 basic pre-activation units
    with 16k, 32k and 64k filters (strides 1, 2, 2), bn - relu, 8x8 average
    pool, ip and softmax loss. Weight decay l2 5e-4 with projection shortcuts,
    2e-4 without; no biases in the convolutions.

    Args:
      depth: 6n + 4 (10, 16, 22, 28, 40, ...); width: k; class_num,
        dropout_prob, projection_shortcut: as for `PreActResNet`.
      h_loss, sub_class_multiplier_ratio: akid's hierarchical CIFAR-100 loss
        (needs CollapseOutLayer, not in this akid: h_loss=True is an error).

    Input: (N, 32, 32, C) images; labels (N,).
    """

    def __init__(self, sub_class_multiplier_ratio=0.5, h_loss=False, **kwargs):
        super().__init__(**kwargs)
        if (self.depth - 4) % 6 or self.depth < 10:
            raise ValueError(f"{describe(self)}: depth must be 6n + 4 with n >= 1 "
                             f"(10, 16, 22, 28, 40, ...), got {self.depth}")
        if check_flag(self, "h_loss", h_loss):
            raise ValueError(f"{describe(self)}: h_loss=True needs akid's CollapseOutLayer, "
                             f"which this akid does not have; attach two loss blocks on "
                             f"system_in labels instead")
        self.sub_class_multiplier_ratio = sub_class_multiplier_ratio
        k, n = self.width, (self.depth - 4) // 6
        stages = [16, 16 * k, 32 * k, 64 * k]
        act_before_residual = [True, True, True] if self.projection_shortcut \
            else [True, False, False]
        self.wd = {"type": "l2", "scale": 5e-4 if self.projection_shortcut else 2e-4}
        self._attach_conv((3, 3), (1, 1), "SAME", 16, "conv0")
        for i, stride in enumerate((1, 2, 2)):
            self._attach_stack(stages[i], stages[i + 1], n, (stride, stride),
                               act_before_residual[i])
        self.attach(BatchNormalizationLayer(name="bn_out"))
        self.attach(ReLULayer(name="relu_out"))
        self._attach_head(8, stages[3])


# akid's table: units per stack for each depth. As in akid, every depth uses bottleneck
# units: its table names basic blocks for 18 and 34, but its loop always attached bottlenecks.
IMAGENET_DEPTHS = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3), 50: (3, 4, 6, 3), 101: (3, 4, 23, 3),
                   152: (3, 8, 36, 3), 200: (3, 24, 36, 3)}


class ImagenetResNet(PreActResNet):
    """akid's `ImagenetResNet`: a pre-activation (wide) bottleneck ResNet for ImageNet.

    conv0 7x7/2 x64 - bn - relu - max pool 3x3/2, four stacks of bottleneck
    units (inner widths 64k, 128k, 256k, 512k; strides 1, 2, 2, 2), relu, 7x7
    average pool, ip and softmax loss; l2 1e-4, no biases in the convolutions.
    `ImagenetResNet(depth=50, width=2)` is akid's WRN-50-2.

    Args:
      depth: 18, 34, 50, 101, 152 or 200 (akid's table; all bottleneck, as in akid).
      width, class_num, dropout_prob, projection_shortcut: as for `PreActResNet`;
        width 1 fails as it did in akid (its first unit keeps 64 channels but
        widens to 256 with no shortcut projection).
      global_pool_size: the final average pool's window, akid's 7 (global
        for 224x224 inputs); None: global average pooling of any input size
        (not in akid; e.g. for small test images).

    Input: (N, 224, 224, 3) images; labels (N,).
    """

    def __init__(self, global_pool_size=7, **kwargs):
        super().__init__(**kwargs)
        check_choice(self, "depth", self.depth, tuple(IMAGENET_DEPTHS))
        check_positive_int(self, "global_pool_size", global_pool_size, allow_none=True)
        k = self.width
        stages = [64, 64 * k, 128 * k, 256 * k, 512 * k]
        self.wd = {"type": "l2", "scale": 1e-4}
        self._attach_conv((7, 7), (2, 2), "SAME", 64, "conv0")
        self.attach(BatchNormalizationLayer(name="bn0"))
        self.attach(ReLULayer(name="relu0"))
        self.attach(PoolingLayer(ksize=[3, 3], strides=[2, 2], padding="SAME", type="max",
                                 name="pool0"))
        for i, (count, stride) in enumerate(zip(IMAGENET_DEPTHS[self.depth], (1, 2, 2, 2))):
            self._attach_stack(stages[i], stages[i + 1], count, (stride, stride),
                               act_before_residual=i > 0, block_type="bottleneck")
        self.attach(ReLULayer(name="relu_final"))
        self._attach_head(global_pool_size, stages[4] * 4 // k)
