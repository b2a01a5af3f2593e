"""Blocks: the Block base, systems, initializers and the layer set."""
from akid.blocks.block import MODES, Block
from akid.blocks.layers import (AccuracyLayer, BatchNormalizationLayer, ConvolutionLayer,
                                DropoutLayer, ELULayer, FlattenLayer, GlobalAveragePoolingLayer,
                                GRULayer, HingeLossLayer,
                                InnerProductLayer, LeakyReLULayer, LossLayer, LSTMLayer,
                                MaxoutLayer, MergeLayer, MSELossLayer, PaddingLayer, PoolingLayer,
                                ReLULayer, ReshapeLayer, SigmoidLayer, SoftmaxLayer,
                                ShortcutPaddingLayer, SoftmaxWithLossLayer, TanhLayer,
                                WeightedLayer, make_activation)
from akid.blocks.input_spec import InputSpec
from akid.blocks.systems import GraphSystem, SequentialSystem, System
