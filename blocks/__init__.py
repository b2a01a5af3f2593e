"""Blocks: the Block base, systems, initializers and the layer set."""
from akid.blocks.block import MODES, Block
from akid.blocks.layers import (AKID_INIT, AKID_WD, AccuracyLayer, BatchNormalizationLayer,
                                CollapseOutLayer, ConvolutionLayer, DropoutLayer, ELULayer,
                                FlattenLayer, GlobalAveragePoolingLayer, GroupSoftmaxLayer,
                                GRULayer, HingeLossLayer, InnerProductLayer, LeakyReLULayer,
                                LossLayer, LRNLayer, LSTMLayer, MaxoutLayer, MergeLayer,
                                MSELossLayer, PaddingLayer, PoolingLayer, ReLULayer, ReshapeLayer,
                                ScatterLayer, SigmoidLayer, SoftmaxLayer,
                                SoftmaxNormalizationLayer, ShortcutPaddingLayer,
                                SoftmaxWithLossLayer, TanhLayer, WeightedLayer, make_activation)
from akid.blocks.input_spec import InputSpec
from akid.blocks.systems import GraphSystem, SequentialSystem, System
