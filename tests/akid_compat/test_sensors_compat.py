"""akid's sensors as akid's code uses them: default batch sizes, `to_val`, a joker name on
both pipelines, several label arrays; and the Kidfile's `val: yes` / `val: only`.

The sensors below are built as akid's code builds them (examples/alex_net.py's jokers,
the documentation's `FeedSensor(name='data', source_in=source)`), on small local arrays.
"""
import math

import numpy as np
import pytest

from akid import FeedSensor, IntegratedSensor
from akid.sensors import CropJoker, FlipJoker, LightJoker, RescaleJoker, WhitenJoker
from akid.sources import ArraySource
from akid import spec as kidfile
from akid.spec.provider import make_sensor, read_provider


def cifar_like(n, seed):
    return np.random.default_rng(seed).integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)


def source(num_train=256, num_val=40):
    """CIFAR-shaped uint8 images whose labels are their ids, to trace batches back."""
    x, xv = cifar_like(num_train, 0), cifar_like(num_val, 1)
    return ArraySource(train=(x, np.arange(num_train)), val=(xv, np.arange(num_val)))


def whiten(x):
    x = x.astype(np.float64)
    std = np.maximum(x.std(axis=(1, 2, 3), keepdims=True), 1 / math.sqrt(np.prod(x.shape[1:])))
    return (x - x.mean(axis=(1, 2, 3), keepdims=True)) / std


def correlation(a, b):
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


def test_a_sensor_without_batch_sizes_takes_akids_100():
    sensor = FeedSensor(name='data', source_in=source())  # akid's documentation, verbatim
    assert (sensor.batch_size, sensor.val_batch_size) == (100, 100)
    x, y = next(iter(sensor.dataset("train")))
    assert x.shape[0] == 100 and sensor.num_batches_per_epoch == 3
    assert IntegratedSensor(source_in=source(), name='data').batch_size == 100


def test_alex_nets_sensor_crops_and_whitens_each_split_by_its_own_jokers():
    cifar_source = source()
    # The jokers of akid's examples/alex_net.py (tests/akid_compat/examples/alex_net.py runs
    # the script itself): validation crop + whiten, then training crop, flip, light, whiten.
    sensor = IntegratedSensor(source_in=cifar_source, batch_size=128, name='data')
    for joker, to_val in ((CropJoker(height=24, width=24, center=True, name="crop"), True),
                          (WhitenJoker(name="per_image_whitening"), True),
                          (CropJoker(height=24, width=24, center=True, name="crop"), False),
                          (FlipJoker(name="left_right_flip"), False),
                          (LightJoker(name="brightness_contrast"), False),
                          (WhitenJoker(name="per_image_whitening"), False)):
        sensor.attach(joker, to_val=to_val)
    assert [j.name for j in sensor.val_jokers] == ["crop", "per_image_whitening"]
    assert [j.name for j in sensor.training_jokers] == [
        "crop", "left_right_flip", "brightness_contrast", "per_image_whitening"]
    xv = cifar_source.arrays("val")[0]
    val, _ = next(iter(sensor.dataset("val")))  # akid's val_batch_size: 100, all 40 here
    np.testing.assert_allclose(val, whiten(xv[:, 4:28, 4:28]), atol=1e-4)
    train, ids = next(iter(sensor.dataset("train")))
    assert train.shape == (128, 24, 24, 3)
    # Training: the center crop, flipped or not, lit, whitened: each image matches its
    # crop or the crop's mirror (up to the light, which whitening nearly undoes here).
    crops = cifar_source.arrays("train")[0][ids.numpy(), 4:28, 4:28]
    kept = [correlation(t, c) for t, c in zip(train.numpy(), crops)]
    flipped = [correlation(t, c[:, ::-1]) for t, c in zip(train.numpy(), crops)]
    assert all(max(k, f) > 0.95 and min(k, f) < 0.5 for k, f in zip(kept, flipped))
    assert 20 < sum(f > k for k, f in zip(kept, flipped)) < 108


def test_several_label_arrays_reach_the_labels_as_a_tuple():
    """akid's IntegratedSensor gave `labels()` as a list when a source had several."""
    x = cifar_like(20, 0)
    two = ArraySource(train=(x, (np.arange(20) % 10, np.arange(20) % 2)))
    sensor = FeedSensor(source_in=two, batch_size=5, name="data")
    sensor.setup()
    first, second = sensor.labels()
    assert first.shape == second.shape == (5,) and sensor.data().shape == (5, 32, 32, 3)


KIDFILE = """
train:
  data: [mnist: {{subset: yes}}]
  provider:
    batch_size: 8
    jokers:
      - rescale: {{scale: 2.0}}
      - rescale: {{scale: 3.0}}
        val: yes
      - rescale: {{scale: 5.0}}
        val: {val}
"""


def test_the_kidfiles_val_yes_is_both_pipelines_and_val_only_is_validation(tmp_path):
    path = tmp_path / "jokers.yml"
    path.write_text(KIDFILE.format(val="only"))
    sensor = make_sensor(source(), read_provider(kidfile.load(str(path)), "train"))
    scales = [[j.scale for j in pipeline] for pipeline in (sensor.training_jokers,
                                                           sensor.val_jokers)]
    assert scales == [[2.0, 3.0], [3.0, 5.0]]
    path.write_text(KIDFILE.format(val="maybe"))
    with pytest.raises(Exception, match="val must be True or False"):
        read_provider(kidfile.load(str(path)), "train")


def test_a_joker_instance_may_serve_both_pipelines_but_each_once():
    sensor = IntegratedSensor(source(), batch_size=8)
    rescale = sensor.attach(RescaleJoker(scale=0.5))
    assert sensor.attach(rescale, to_val=True) is rescale and sensor.jokers == [rescale]
    with pytest.raises(ValueError, match="on its validation pipeline; attach a joker once per"):
        sensor.attach(rescale, to_val=True)


def test_akids_queue_settings_are_checked_then_ignored_with_a_warning():
    with pytest.warns(UserWarning, match="num_preprocess_threads .* have no effect"):
        sensor = IntegratedSensor(source_in=source(), batch_size=32,
                                  min_fraction_of_examples_in_queue=0.4,
                                  num_preprocess_threads=4)  # akid's imagenet example
    images, _ = next(iter(sensor.dataset("train")))
    assert images.shape == (32, 32, 32, 3)
    with pytest.raises(ValueError, match="min_fraction_of_examples_in_queue must be .* got 1.4"):
        IntegratedSensor(source_in=source(), min_fraction_of_examples_in_queue=1.4)
