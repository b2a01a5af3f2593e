"""The bad-input catalogue: one row per mistake a user makes, each a clear error.

Every row asserts the exception type and the key words of its message, and
that nothing in log_dir could pass for a good checkpoint afterwards.
"""
import gzip
import os

import numpy as np
import pytest
import tensorflow as tf

from akid import (AccuracyLayer, ArraySource, Brain, ConvolutionLayer, CropJoker, FeedSensor,
                  FlipJoker, InnerProductLayer, Kid, MNISTFeedSource, MomentumKongFu,
                  SoftmaxWithLossLayer)
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
]


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
