"""The bad-input catalogue: one row per mistake a user makes, each a clear error.

Every row asserts the exception type and the key words of its message, and
that nothing in log_dir could pass for a good checkpoint afterwards.
"""
import gzip
import os

import numpy as np
import pytest
import tensorflow as tf

from akid import (AccuracyLayer, ArraySource, BatchNormalizationLayer, Brain, ConvolutionLayer,
                  CropJoker, DropoutLayer, FeedSensor, FlipJoker, InnerProductLayer, Kid,
                  MNISTFeedSource, MomentumKongFu, SoftmaxWithLossLayer)
from akid.kids.hooks import Callback
from akid.kongfu import make_lr_scheme


def source(n=40, dim=6, classes=3, dtype="float32", shape=None):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n,) + (shape or (dim,))).astype(dtype)
    return ArraySource(train=(x[:30], rng.integers(0, classes, 30)),
                       val=(x[30:], rng.integers(0, classes, n - 30)))


def classifier(first=None, class_num=3):
    brain = Brain(name="net")
    brain.attach(first or InnerProductLayer(out_channel_num=class_num, name="ip"))
    if first is not None:
        brain.attach(InnerProductLayer(out_channel_num=class_num, name="ip"))
    brain.attach(SoftmaxWithLossLayer(class_num=class_num, name="loss"))
    brain.attach(AccuracyLayer(name="accuracy"))
    return brain


def kid(log_dir, src=None, brain=None, **kwargs):
    kwargs.setdefault("max_steps", 3)
    return Kid(FeedSensor(src or source(), batch_size=8), brain or classifier(),
               MomentumKongFu(), log_dir=str(log_dir), **kwargs)


def no_checkpoint(log_dir):
    return tf.train.latest_checkpoint(os.path.join(log_dir, "model")) is None


def conv_on_vectors(log_dir):
    net = classifier(ConvolutionLayer(ksize=[3, 3], strides=[1, 1], padding="SAME",
                                      out_channel_num=4, name="conv1"))
    kid(log_dir, brain=net).setup()


def not_an_idx_file(log_dir):
    work = os.path.join(log_dir, "mnist")
    os.makedirs(work)
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        with gzip.open(os.path.join(work, name), "wb") as f:
            f.write(b"<html>not found</html>")
    MNISTFeedSource(url="http://127.0.0.1:9/", work_dir=work,
                    sha256={name: None for name in os.listdir(work)})


def log_dir_under_a_file(log_dir):
    blocker = os.path.join(log_dir, "a_file")
    open(blocker, "w").close()
    kid(os.path.join(blocker, "run")).setup()


def missing_loss(log_dir):
    brain = Brain(name="net")
    brain.attach(InnerProductLayer(out_channel_num=3))
    kid(log_dir, brain=brain).setup()


CATALOGUE = [
    # (name, action, exception, key words of the message)
    ("conv fed vectors", conv_on_vectors, ValueError,
     r"Block 'conv1' \(ConvolutionLayer\) expects rank-4 input .*got shape \(2, 6\)"),
    ("labels out of range", lambda d: kid(d, src=source(classes=5)).setup(), ValueError,
     r"train labels .* range over \[0, 4\], outside \[0, 3\) of block 'loss'"),
    ("class_num vs logits", lambda d: kid(d, brain=_mismatched_logits()).setup(), ValueError,
     r"Block 'loss' \(SoftmaxWithLossLayer\) expects logits of shape \(N, 4\).*got \(2, 3\)"),
    ("integer images", lambda d: kid(d, src=source(dtype="int32")).setup(), ValueError,
     r"Block 'ip' \(InnerProductLayer\) expects floating-point input, got int32"),
    ("no loss block", missing_loss, ValueError, r"brain 'net' has no loss block"),
    ("both max_steps and max_epoch", lambda d: kid(d, max_epoch=1), ValueError,
     r"exactly one of max_steps and max_epoch.*max_steps=3, max_epoch=1"),
    ("neither max_steps nor max_epoch", lambda d: kid(d, max_steps=None), ValueError,
     r"exactly one of max_steps and max_epoch"),
    ("zero val_log_step", lambda d: kid(d, val_log_step=0), ValueError,
     r"val_log_step must be a positive int, got 0"),
    ("unknown engine", lambda d: kid(d, engine="tpu_pod"), ValueError,
     r"unknown engine 'tpu_pod'; known engines"),
    ("deterministic without seed", lambda d: kid(d, deterministic=True), ValueError,
     r"deterministic=True needs a seed"),
    ("unknown lr scheme", lambda d: make_lr_scheme({"name": "warmup"}), ValueError,
     r"warmup.*fixed.*exp_decay.*step.*cosine.*placeholder"),
    ("lr scheme missing key", lambda d: make_lr_scheme({"name": "cosine", "base_lr": 0.1}),
     ValueError, r"'cosine' is missing key\(s\) 'total_steps'"),
    ("negative clip_norm", lambda d: MomentumKongFu(clip_norm=-1), ValueError, r"clip_norm"),
    ("zero batch size", lambda d: FeedSensor(source(), batch_size=0), ValueError,
     r"batch_size must be a positive int, got 0"),
    ("unknown initializer", lambda d: InnerProductLayer(3, init_para={"name": "zeros"}),
     ValueError, r"unknown initializer 'zeros'; known: constant, glorot"),
    ("unknown padding", lambda d: ConvolutionLayer([3, 3], [1, 1], "FULL", 4), ValueError,
     r"unknown padding 'FULL'; choose one of 'SAME', 'VALID'"),
    ("joker that does nothing", lambda d: FlipJoker(flip_left_right=False), ValueError,
     r"Block 'flip_joker' \(FlipJoker\): flip_left_right and flip_up_down are both False"),
    ("crop of no size", lambda d: CropJoker(height=0, width=3), ValueError,
     r"Block 'crop_joker' \(CropJoker\): height must be a positive int, got 0"),
    ("log_dir parent is a file", log_dir_under_a_file, ValueError, r"cannot create log_dir"),
    ("data file that is not IDX", not_an_idx_file, ValueError, r"not an IDX file"),
    # -- the checks module: a wrong type is a TypeError, a bad value a ValueError
    ("max_steps a bool", lambda d: kid(d, max_steps=True), TypeError,
     r"Kid: max_steps must be a positive int or None, got True \(bool\)"),
    ("max_epoch a float", lambda d: kid(d, max_steps=None, max_epoch=1.5), TypeError,
     r"Kid: max_epoch must be a positive int or None, got 1.5 \(float\)"),
    ("debug not a flag", lambda d: kid(d, debug=1), TypeError,
     r"Kid: debug must be True or False, got 1 \(int\)"),
    ("checkpoint_minutes zero", lambda d: kid(d, checkpoint_minutes=0), ValueError,
     r"Kid: checkpoint_minutes must be a finite number > 0, got 0.0"),
    ("checkpoint_minutes a string", lambda d: kid(d, checkpoint_minutes="5"), TypeError,
     r"Kid: checkpoint_minutes must be a number, got '5' \(str\)"),
    ("num_gpu zero", lambda d: kid(d, engine={"name": "data_parallel", "num_gpu": 0}),
     ValueError, r"engine data_parallel: num_gpu must be a positive int, got 0"),
    ("val_batch_size a string", lambda d: FeedSensor(source(), 8, val_batch_size="8"),
     TypeError, r"val_batch_size must be a positive int or None, got '8' \(str\)"),
    ("negative num_train", lambda d: ArraySource(train=(np.zeros((4, 2)), np.arange(4)),
                                                num_train=-1),
     ValueError, r"ArraySource 'array_source': num_train must be an int >= 0, got -1"),
    ("source with no data", lambda d: ArraySource(), ValueError,
     r"give at least one \(x, y\) pair: train=, val= or test="),
    ("unknown mode", lambda d: InnerProductLayer(3, name="ip").set_mode("eval"), ValueError,
     r"Block 'ip' \(InnerProductLayer\): unknown mode 'eval'; choose one of 'train'"),
    ("keep_prob above one", lambda d: DropoutLayer(keep_prob=1.5, name="drop"), ValueError,
     r"Block 'drop' \(DropoutLayer\): keep_prob"),
    ("out_channel_num a float", lambda d: InnerProductLayer(2.0, name="ip"), TypeError,
     r"Block 'ip' \(InnerProductLayer\): out_channel_num must be a positive int, got 2.0"),
    # -- build once, then lock: the input spec
    ("inner product fed another width", lambda d: _called_twice(
        InnerProductLayer(3, name="ip1"), [4, 8], [4, 4]), ValueError,
     r"Block 'ip1' \(InnerProductLayer\) was built for input shape \(None, 8\), got \(4, 4\)"),
    ("conv fed other channels", lambda d: _called_twice(
        ConvolutionLayer([3, 3], [1, 1], "SAME", 4, name="conv"), [2, 8, 8, 3], [2, 8, 8, 1]),
     ValueError, r"Block 'conv' \(ConvolutionLayer\) was built for input shape"),
    ("integer data into a built layer", lambda d: _called_twice(
        InnerProductLayer(3, name="ip1"), [4, 8], [4, 8], "int32"), ValueError,
     r"Block 'ip1' \(InnerProductLayer\) expects floating-point input, got int32"),
    ("batch norm wd not a dict", lambda d: BatchNormalizationLayer(wd="nonsense", name="bn"),
     TypeError, r"Block 'bn' \(BatchNormalizationLayer\).*wd"),
    ("batch norm on rank-1 input", lambda d: BatchNormalizationLayer(name="bn")(
        tf.zeros([4])), ValueError, r"Block 'bn' \(BatchNormalizationLayer\) expects"),
    ("batch norm epsilon negative", lambda d: BatchNormalizationLayer(epsilon=-1.0, name="bn"),
     ValueError, r"Block 'bn' \(BatchNormalizationLayer\): epsilon"),
    # -- the Kid's own API
    ("restore from nowhere", lambda d: kid(d).restore(os.path.join(d, "none")), ValueError,
     r"Kid: no readable checkpoint of brain 'net' at "),
    ("predict an unknown block", lambda d: kid(d).predict("val", outputs=["nope"]), ValueError,
     r"Block 'net' \(Brain\) has no block named 'nope'; it has \['ip', 'loss', 'accuracy'\]"),
    ("evaluate an empty split", lambda d: kid(d).evaluate("test"), ValueError,
     r"ArraySource 'array_source': has no test data \(splits with data: train, val\)"),
    ("a misspelt callback event", lambda d: kid(d).hooks.add(_Misspelt()), ValueError,
     r"_Misspelt has method\(s\) \['on_val_log'\] named like events"),
]


class _Misspelt(Callback):
    def on_val_log(self, kid):
        pass


def _called_twice(block, first, second, dtype="float32"):
    block(tf.zeros(first))
    block(tf.zeros(second, dtype=dtype))


def _mismatched_logits():
    brain = Brain(name="net")
    brain.attach(InnerProductLayer(out_channel_num=3, name="ip"))
    brain.attach(SoftmaxWithLossLayer(class_num=4, name="loss"))
    return brain


@pytest.mark.parametrize("action, exception, words", [row[1:] for row in CATALOGUE],
                         ids=[row[0] for row in CATALOGUE])
def test_bad_input_is_a_clear_error(tmp_path, action, exception, words):
    with pytest.raises(exception, match=words):
        action(tmp_path)
    assert no_checkpoint(tmp_path)
