"""The layer blocks."""
from akid.blocks.layers.activations import (ELULayer, LeakyReLULayer, ReLULayer, SigmoidLayer,
                                            SoftmaxLayer, TanhLayer, make_activation)
from akid.blocks.layers.convolution import ConvolutionLayer
from akid.blocks.layers.dropout import DropoutLayer
from akid.blocks.layers.group import (CollapseOutLayer, GroupSoftmaxLayer, MaxoutLayer,
                                      SoftmaxNormalizationLayer)
from akid.blocks.layers.inner_product import InnerProductLayer
from akid.blocks.layers.losses import HingeLossLayer, LossLayer, MSELossLayer, SoftmaxWithLossLayer
from akid.blocks.layers.merge import MergeLayer
from akid.blocks.layers.metrics import AccuracyLayer
from akid.blocks.layers.normalization import BatchNormalizationLayer, LRNLayer
from akid.blocks.layers.pooling import GlobalAveragePoolingLayer, PoolingLayer
from akid.blocks.layers.recurrent import GRULayer, LSTMLayer
from akid.blocks.layers.shape import (FlattenLayer, PaddingLayer, ReshapeLayer, ScatterLayer,
                                      ShortcutPaddingLayer)
from akid.blocks.layers.weighted import AKID_INIT, AKID_WD, WeightedLayer
