"""akid's model zoo and data classes: akid's nets as akid built them, and its sources on
today's tf.data sources (tiny data written here, served from 127.0.0.1)."""
import hashlib
import io
import math
import os
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
import tensorflow as tf
from test_cifar import make_cifar10, served, write_tarball  # noqa: F401 -- `served`: a fixture
from test_zoo import reported_params, train

from akid.blocks.layers import LRNLayer, SoftmaxWithLossLayer
from akid.brains import (AkidAlexNet, AkidLeNet, CifarResNet, ImagenetResNet, MnistTfTutorialNet,
                         PreActResNet, VGGNet)
from akid.sources import (Cifar10FeedSource, Cifar10TFSource, Cifar100TFSource, ImagenetTFSource,
                          RotatedMNISTFeedSource)
from akid.sources.cifar_tf import CIFAR10_BINARY_FILE
from akid.sources.download import ChecksumError
from akid.sources.zca import ZCA_FOLDER, global_contrast_normalize


def fc(d_in, d_out):
    return d_in * d_out + d_out


def conv(k, c_in, c_out, bias=True):
    return k * k * c_in * c_out + (c_out if bias else 0)


# -- akid's zoo -----------------------------------------------------------------------

def build(brain, shape, labels=10):
    brain([tf.zeros([2, *shape]), tf.constant(np.arange(2) % labels, tf.int32)])
    return reported_params(brain)


def test_akid_nets_are_akids_layers_and_sizes():
    alexnet = AkidAlexNet(name="alex_net")
    assert build(alexnet, (24, 24, 3)) == (conv(5, 3, 64) + conv(5, 64, 64) + fc(6 * 6 * 64, 384)
                                           + fc(384, 192) + fc(192, 10))
    assert isinstance(alexnet.get_layer_by_name("norm1"), LRNLayer)
    assert [b.name for b in alexnet.blocks][:8] == ["conv1", "relu1", "pool1", "norm1", "conv2",
                                                   "relu2", "norm2", "pool2"]
    # akid's initializers, not today's defaults: conv1 N(0, 1e-4), ip2's bias 0.1.
    assert float(tf.math.reduce_std(alexnet.get_layer_by_name("conv1").weights)) < 2e-4
    np.testing.assert_allclose(alexnet.get_layer_by_name("ip2").bias.numpy(), 0.1)
    lenet = AkidLeNet(name="LeNet")  # akid's pool2 is 5x5 with stride 2, no dropout
    assert build(lenet, (28, 28, 1)) == (conv(5, 1, 32) + conv(5, 32, 64) + fc(7 * 7 * 64, 512)
                                         + fc(512, 10))
    tutorial = MnistTfTutorialNet()
    assert build(tutorial, (28, 28, 1)) == reported_params(lenet)
    assert tutorial.get_layer_by_name("dropout1").keep_prob == 0.5
    weights = tutorial.get_layer_by_name("ip1").weights
    assert 0.08 < float(tf.math.reduce_std(weights)) < 0.1  # truncated normal 0.1
    assert float(tutorial.compute([tf.zeros([2, 28, 28, 1]), tf.zeros([2], tf.int32)])
                 .regularization) == pytest.approx(
        5e-4 * sum(float(tf.nn.l2_loss(b.weights)) for b in tutorial.descendants()
                   if getattr(b, "weights", None) is not None), rel=1e-4)


def test_vggnet_is_akids_four_stages_named_as_akid_named_them():
    brain = VGGNet(padding="SAME", name="VGGNet")
    build(brain, (32, 32, 3))
    names = [b.name for b in brain.blocks]
    assert names[:9] == ["conv1", "bn1", "relu1", "dropout1", "conv2", "bn2", "relu2", "pool2",
                         "conv3"]
    assert [n for n in names if n.startswith("pool")] == ["pool2", "pool4", "pool7", "pool10"]
    assert names[-5:] == ["dropout12", "ip2", "bn12", "loss", "accuracy"]
    assert brain.get_layer_by_name("dropout1").keep_prob == 0.7
    custom = VGGNet(class_num=4, loss_layer=(SoftmaxWithLossLayer, {}))
    assert build(custom, (32, 32, 3), labels=4) > 0
    with pytest.raises(ValueError, match=r"VGGNet.*unknown padding 'same'"):
        VGGNet(padding="same")


def test_preact_resnets_follow_akid():
    brain = CifarResNet(depth=10, width=2)
    build(brain, (32, 32, 3))
    names = [b.name for b in brain.blocks]
    assert names[:6] == ["conv0", "bn_1_0", "relu_1_0", "conv_1_0", "bn_1_1", "relu_1_1"]
    assert "conv_1_shortcut" in names and "merge_3" in names and names[-3:] == [
        "ip", "softmax", "accuracy"]
    kernel = brain.get_layer_by_name("conv_2_0").weights  # akid's msra: fan-out
    assert float(tf.math.reduce_std(kernel)) == pytest.approx(
        math.sqrt(2 / (9 * 64)) * 0.88, rel=0.1)
    assert brain.get_layer_by_name("conv_2_0").bias is None
    padded = CifarResNet(depth=10, width=2, projection_shortcut=False, dropout_prob=0.3)
    build(padded, (32, 32, 3))
    assert "pad_2_shortcut" in [b.name for b in padded.blocks]
    assert padded.get_layer_by_name("dropout_1_1").keep_prob == pytest.approx(0.7)
    assert PreActResNet().blocks == []  # akid's ResNet is a base that builds nothing


def test_imagenet_resnet_is_akids_bottleneck_net():
    brain = ImagenetResNet(depth=18, width=2, class_num=1001, name="WRN-18-2")  # not built
    names = [b.name for b in brain.blocks]
    assert names[:5] == ["conv0", "bn0", "relu0", "pool0", "bn_1_0"]
    assert names[-6:] == ["relu_final", "global_pool", "reshape", "ip", "softmax", "accuracy"]
    assert sum(n.endswith("_shortcut") for n in names) == 4 and "merge_8" in names
    widths = [brain.get_layer_by_name(f"conv_1_{i}").out_channel_num for i in range(3)]
    assert widths == [128, 128, 256]  # WRN-2: inner convs doubled, the output as ResNet's
    strides = [list(brain.get_layer_by_name(f"conv_3_{i}").strides) for i in range(3)]
    assert strides == [[1, 1], [2, 2], [1, 1]]  # stage 2 halves in its 3x3 conv


@pytest.mark.parametrize("make,match", [
    (lambda: CifarResNet(depth=11), r"depth must be 6n \+ 4 .*got 11"),
    (lambda: ImagenetResNet(), r"unknown depth 28; choose one of 18, 34, 50"),
    (lambda: CifarResNet(use_gsmax=True), r"use_gsmax=True needs akid's GroupSoftmaxLayer"),
    (lambda: CifarResNet(h_loss=True), r"h_loss=True needs akid's CollapseOutLayer"),
    (lambda: PreActResNet(dropout_prob=2), r"dropout_prob must be a finite number"),
])
def test_akid_zoo_arguments_are_checked(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("name,make,size", [
    ("alexnet", lambda: AkidAlexNet(), 24),
    ("lenet", lambda: AkidLeNet(), 28),
    ("mnist_tf_tutorial", lambda: MnistTfTutorialNet(), 28),
    ("cifar_resnet", lambda: CifarResNet(depth=10, width=1), 32),
    pytest.param("imagenet_resnet", lambda: ImagenetResNet(depth=18, width=2,
                                                           global_pool_size=None), 32,
                 marks=pytest.mark.slow),
])
def test_akid_zoo_learns(name, make, size):
    losses = train(make(), size, steps=8, batch=16)
    assert all(math.isfinite(v) for v in losses)
    assert np.mean(losses[-2:]) < np.mean(losses[:2]) * 0.95, f"{name}: {losses}"


@pytest.mark.slow
def test_vggnet_learns():
    losses = train(VGGNet(), 32, steps=30, batch=16)  # its dropout needs more than 8 steps
    assert np.mean(losses[-5:]) < np.mean(losses[:5]) * 0.8, losses


@pytest.mark.slow
def test_imagenet_resnet_on_224_images_with_akids_7x7_pool():
    brain = ImagenetResNet(depth=18, width=2)
    losses = train(brain, 224, steps=3, batch=2)
    assert all(math.isfinite(v) for v in losses) and losses[-1] < losses[0], losses


# -- akid's data classes --------------------------------------------------------------

def write_cifar10_binary(folder, per_batch=4, num_test=3, extract_to=None):
    """cifar-10-binary.tar.gz (label byte + CHW bytes a record); returns (digest, images,
    labels, test images, test labels)."""
    rng = np.random.default_rng(3)
    members, arrays = {}, []
    for member in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        n = num_test if member.startswith("test") else per_batch
        images = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
        labels = rng.integers(0, 10, n).astype(np.uint8)
        rows = images.transpose(0, 3, 1, 2).reshape(n, -1)
        members[f"cifar-10-batches-bin/{member}"] = np.concatenate(
            [labels[:, None], rows], axis=1).tobytes()
        arrays.append((images, labels))
    path = folder / CIFAR10_BINARY_FILE
    write_tarball(path, members)
    if extract_to is not None:
        for name, payload in members.items():
            (extract_to / name).parent.mkdir(parents=True, exist_ok=True)
            (extract_to / name).write_bytes(payload)
    train_x = np.concatenate([a[0] for a in arrays[:5]])
    train_y = np.concatenate([a[1] for a in arrays[:5]])
    return hashlib.sha256(path.read_bytes()).hexdigest(), train_x, train_y, *arrays[5]


def test_cifar10_tf_source_reads_akids_binary_tarball_with_akids_split(served, tmp_path):
    folder, server = served
    digest, x, y, xt, yt = write_cifar10_binary(folder)
    work_dir = tmp_path / "data"
    source = Cifar10TFSource(name="CIFAR10", url=server.url + CIFAR10_BINARY_FILE,
                             work_dir=str(work_dir), num_train=18, num_val=2, sha256=digest)
    assert server.requests == ["/" + CIFAR10_BINARY_FILE]
    train_x, train_y = source.arrays("train")
    np.testing.assert_array_equal(train_x, x[:18])
    np.testing.assert_array_equal(train_y, y[:18])
    np.testing.assert_array_equal(source.arrays("val")[0], xt[:2])  # akid: val is the test set
    np.testing.assert_array_equal(source.arrays("test")[1], yt)
    assert train_x.dtype == np.uint8 and source.num_classes == 10
    with pytest.raises(ChecksumError, match="failed its SHA-256 check"):  # the download rules
        Cifar10TFSource(url=server.url + CIFAR10_BINARY_FILE, work_dir=tmp_path / "other",
                        sha256="0" * 64)
    assert not os.listdir(tmp_path / "other")


def test_cifar10_tf_source_reads_what_akid_extracted_and_url_none_never_downloads(tmp_path):
    _, x, _, _, _ = write_cifar10_binary(tmp_path, extract_to=tmp_path / "data")
    source = Cifar10TFSource(url=None, work_dir=tmp_path / "data")  # no tarball there
    np.testing.assert_array_equal(source.arrays("train")[0], x)
    with pytest.raises(FileNotFoundError, match=r"cifar-10-binary.tar.gz not in .*url=None"):
        Cifar10TFSource(url=None, work_dir=tmp_path / "empty")
    (tmp_path / "bad").mkdir()
    write_tarball(tmp_path / "bad" / CIFAR10_BINARY_FILE, {
        f"cifar-10-batches-bin/{m}": b"\x01" * 100 for m in
        [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]})
    with pytest.raises(ValueError, match=r"records of 3073 bytes .* got 100 bytes"):
        Cifar10TFSource(work_dir=tmp_path / "bad", sha256=None)


def test_use_zca_makes_and_then_reads_akids_whitened_files(served, tmp_path):
    folder, server = served
    _, (images, _, _, _) = make_cifar10(folder)
    work_dir = tmp_path / "data"
    akid_url = server.url + "cifar-10-binary.tar.gz"  # akid's examples name another file
    source = Cifar10FeedSource(url=akid_url, work_dir=work_dir, use_zca=True, num_train=16,
                               num_val=4, sha256=None)
    assert server.requests == ["/cifar-10-python.tar.gz"]
    x = source.arrays("train")[0]
    assert x.dtype == np.float32 and x.shape == (16, 32, 32, 3)
    rows = np.load(work_dir / ZCA_FOLDER / "train.npy")
    assert rows.shape == (20, 3072)
    # GCN: each image's pixels have mean 0 and norm 55 ...
    gcn = global_contrast_normalize(images.transpose(0, 3, 1, 2).reshape(20, -1).astype(float))
    np.testing.assert_allclose(np.linalg.norm(gcn, axis=1), 55, rtol=1e-6)
    # ... then ZCA maps each variance l of the data's covariance to l / (l + 0.1).
    centered = gcn - gcn.mean(axis=0)
    variances = np.linalg.eigvalsh(centered @ centered.T / 20)[1:]
    whitened = np.linalg.eigvalsh(rows.astype(float) @ rows.T / 20)[1:]
    np.testing.assert_allclose(whitened, variances / (variances + 0.1), rtol=1e-3)
    np.testing.assert_allclose(source.arrays("train")[0][0, 0, 0], rows[0, [0, 1024, 2048]],
                               rtol=1e-6)  # the rows are CHW, the images HWC
    np.save(work_dir / ZCA_FOLDER / "train.npy", np.ones_like(rows))  # files there are read
    again = Cifar10FeedSource(work_dir=work_dir, use_zca=True, num_val=4, sha256=None)
    np.testing.assert_array_equal(again.arrays("train")[0], 1.0)
    np.save(work_dir / ZCA_FOLDER / "train.npy", np.ones((3, 3072)))
    with pytest.raises(ValueError, match=r"train.npy holds an array of shape \(3, 3072\)"):
        Cifar10FeedSource(work_dir=work_dir, use_zca=True, num_val=4, sha256=None)
    with pytest.raises(ValueError, match="use_zca=True gives whitened images"):
        Cifar10FeedSource(work_dir=work_dir, use_zca=True, scale=True)


def test_cifar100_tf_source_is_whitened_with_the_test_set_as_val(tmp_path):
    rng = np.random.default_rng(1)
    rows = rng.integers(0, 256, (12, 3072), dtype=np.uint8)
    write_tarball(tmp_path / "cifar-100-python.tar.gz", {
        "cifar-100-python/train": {b"data": rows, b"fine_labels": list(range(12)),
                                   b"coarse_labels": [0] * 12},
        "cifar-100-python/test": {b"data": rows[:3], b"fine_labels": [7, 8, 9],
                                  b"coarse_labels": [1, 1, 1]}})
    source = Cifar100TFSource(url=None, work_dir=tmp_path, num_val=2, sha256=None)
    assert source.num_classes == 100 and source.num_train == 12
    np.testing.assert_array_equal(source.arrays("val")[1], [7, 8])
    assert source.arrays("train")[0].dtype == np.float32
    assert (tmp_path / ZCA_FOLDER / "test.npy").is_file()


def write_rotated_mnist(folder, num_train=6, num_test=4):
    rng = np.random.default_rng(2)
    texts, data = {}, {}
    for name, n in (("mnist_all_rotation_normalized_float_train_valid.amat", num_train),
                    ("mnist_all_rotation_normalized_float_test.amat", num_test)):
        pixels, labels = rng.uniform(0, 1, (n, 784)), rng.integers(0, 10, n)
        buffer = io.StringIO()
        np.savetxt(buffer, np.concatenate([pixels, labels[:, None]], axis=1), fmt="%.6f")
        texts[name] = buffer.getvalue()
        data[name] = (pixels.reshape(n, 28, 28, 1), labels)
    with zipfile.ZipFile(folder / "mnist_rotation_new.zip", "w") as archive:
        for name, text in texts.items():
            archive.writestr(name, text)
    return texts, list(data.values())


def test_rotated_mnist_reads_akids_zip_and_split(served, tmp_path):
    folder, server = served
    texts, ((x, y), (xt, yt)) = write_rotated_mnist(folder)
    work_dir = tmp_path / "rotated_mnist"
    source = RotatedMNISTFeedSource(
        name="Rotated_MNIST_feed", url=server.url + "mnist_rotation_new.zip",
        work_dir=str(work_dir), num_train=5, num_val=3)
    assert server.requests == ["/mnist_rotation_new.zip"]
    np.testing.assert_allclose(source.arrays("train")[0], x[:5], atol=1e-6)
    np.testing.assert_array_equal(source.arrays("train")[1], y[:5])
    np.testing.assert_array_equal(source.arrays("val")[1], yt[:3])  # akid: val from the test file
    assert source.shape == (28, 28, 1) and source.arrays("test")[0].dtype == np.float32
    extracted = tmp_path / "extracted"
    extracted.mkdir()
    for name, text in texts.items():
        (extracted / name).write_text(text)
    assert RotatedMNISTFeedSource(url=None, work_dir=extracted).num_train == 6


def write_image_folders(root, sizes=((20, 20), (24, 16))):
    """train/ and validation/ with class folders a, b, c of PNG and JPEG images."""
    rng = np.random.default_rng(4)
    for split, per_class in (("train", 2), ("validation", 1)):
        for c, name in enumerate("abc"):
            (root / split / name).mkdir(parents=True)
            for i in range(per_class):
                h, w = sizes[i % len(sizes)]
                image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
                image[..., c] = 255  # the class shows in its colour
                encode = tf.io.encode_png if i % 2 else tf.io.encode_jpeg
                (root / split / name / f"{i}.{'png' if i % 2 else 'JPEG'}").write_bytes(
                    encode(image).numpy())
    (root / "train" / "README.txt").write_text("not an image")


def test_imagenet_source_reads_class_folders(tmp_path):
    write_image_folders(tmp_path)
    source = ImagenetTFSource(has_super_label=False, url=None, work_dir=tmp_path,
                              image_size=(16, 16))
    x, y = source.arrays("train")
    assert x.shape == (6, 16, 16, 3) and x.dtype == np.float32 and 0 <= x.min() <= x.max() <= 1
    np.testing.assert_array_equal(y, [1, 1, 2, 2, 3, 3])  # 1-based, as the TFRecord scripts
    np.testing.assert_array_equal(source.arrays("val")[1], [1, 2, 3])
    assert source.num_classes == 4
    assert x[0, ..., 0].mean() > 0.9 and x[2, ..., 1].mean() > 0.9
    with pytest.raises(ValueError, match=r"2 sizes .* pass image_size=\(height, width\)"):
        ImagenetTFSource(has_super_label=False, work_dir=tmp_path)
    with pytest.raises(ValueError, match="class folders have no super labels"):
        ImagenetTFSource(work_dir=tmp_path, image_size=(16, 16))
    with pytest.raises(FileNotFoundError, match="found no train images .* TFRecord shards"):
        ImagenetTFSource(work_dir=tmp_path / "nothing")


def write_records(path, labels, super_labels=None, size=8):
    with tf.io.TFRecordWriter(str(path)) as writer:
        for i, label in enumerate(labels):
            image = np.full((size, size, 3), 20 * label, np.uint8)
            feature = {"image/encoded": tf.train.Feature(bytes_list=tf.train.BytesList(
                           value=[tf.io.encode_jpeg(image).numpy()])),
                       "image/class/label": tf.train.Feature(
                           int64_list=tf.train.Int64List(value=[label]))}
            if super_labels is not None:
                feature["image/class/super_label"] = tf.train.Feature(
                    int64_list=tf.train.Int64List(value=[super_labels[i]]))
            writer.write(tf.train.Example(features=tf.train.Features(feature=feature))
                         .SerializeToString())


def test_imagenet_source_reads_tfrecord_shards_with_super_labels(tmp_path):
    write_records(tmp_path / "train-00000-of-00002", [1, 2, 3], [1, 1, 2])
    write_records(tmp_path / "train-00001-of-00002", [4, 5], [2, 3])
    write_records(tmp_path / "validation-00000-of-00001", [5, 1], [3, 1])
    source = ImagenetTFSource(work_dir=tmp_path, num_train=4)
    x, (labels, super_labels) = source.arrays("train")
    assert x.shape == (4, 8, 8, 3)
    np.testing.assert_array_equal(labels, [1, 2, 3, 4])
    np.testing.assert_array_equal(super_labels, [1, 1, 2, 2])
    assert np.all(np.diff(x.mean(axis=(1, 2, 3))) > 0)  # the images follow their records
    plain = ImagenetTFSource(has_super_label=False, work_dir=tmp_path)
    np.testing.assert_array_equal(plain.arrays("val")[1], [5, 1])
    write_records(tmp_path / "other-train", [1])
    (tmp_path / "lacking").mkdir()
    write_records(tmp_path / "lacking" / "train-0", [1])
    with pytest.raises(ValueError, match="lacks .*image/class/super_label"):
        ImagenetTFSource(work_dir=tmp_path / "lacking")


def test_imagenet_source_runs_no_tensorflow_op_so_towers_may_follow(tmp_path):
    """akid's imagenet example makes the source, then a Kid whose data_parallel engine
    splits the CPU: that split is only possible before TensorFlow's first op."""
    write_records(tmp_path / "train-0", [1, 2])
    write_records(tmp_path / "validation-0", [2])
    code = textwrap.dedent(f"""
        import tensorflow as tf
        from akid.sources import ImagenetTFSource
        source = ImagenetTFSource(has_super_label=False, work_dir={str(tmp_path)!r})
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        print(len(tf.config.list_logical_devices("CPU")), source.num_train)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["2", "2"]


def test_a_truncated_tfrecord_file_is_an_error_naming_it(tmp_path):
    write_records(tmp_path / "train-0", [1, 2])
    raw = (tmp_path / "train-0").read_bytes()
    (tmp_path / "train-0").write_bytes(raw[:-10])
    write_records(tmp_path / "validation-0", [2])
    with pytest.raises(ValueError, match=r"train-0 is not a TFRecord file, or it is truncated "
                                         r"\(record 2\)"):
        ImagenetTFSource(has_super_label=False, work_dir=tmp_path)


def test_a_kid_trains_on_cifar10_tf_source(akid_data, tmp_path):
    from akid.kids import Kid
    from akid.kongfu import MomentumKongFu
    from akid.sensors import IntegratedSensor, WhitenJoker
    source = Cifar10TFSource(work_dir=os.path.join(akid_data, "cifar10"), num_train=256,
                             num_val=64, sha256=None)
    sensor = IntegratedSensor(source_in=source, batch_size=32, name="data")
    sensor.attach(WhitenJoker(name="whiten"))
    sensor.attach(WhitenJoker(name="whiten_val"), to_val=True)
    kid = Kid(sensor, CifarResNet(depth=10, width=1, name="wrn"),
              MomentumKongFu(lr_scheme={"name": "fixed", "base_lr": 0.1}), max_steps=40,
              log_dir=str(tmp_path / "log"), seed=0, val_log_step=40, do_summary=False)
    losses = []
    kid.hooks.on_batch_end.append(lambda k: losses.append(float(k.batch_loss)))
    kid.setup()
    kid.practice()
    assert np.mean(losses[-5:]) < np.mean(losses[:5]) * 0.8, losses
    _, evals = kid.validate()
    assert evals["accuracy"] > 0.3, evals  # 10 classes: chance is 0.1
