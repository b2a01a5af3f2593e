"""IntegratedSensor and the jokers: epochs, numpy references, splits, seeds, resuming."""
import math

import numpy as np
import pytest
import tensorflow as tf
from harness import check_block

from akid.blocks import PaddingLayer
from akid.sensors import (CropJoker, FlipJoker, IntegratedSensor, LightJoker, RescaleJoker,
                          RotationJoker, WhitenJoker)
from akid.sensors.jokers import rotate
from akid.sources import ArraySource

N, N_VAL, SIZE = 103, 17, 8


def images(n, seed=0, size=SIZE):
    return np.random.default_rng(seed).integers(0, 256, (n, size, size, 3), dtype=np.uint8)


def make_source():
    """uint8 images whose labels are their ids, so batches can be traced back to examples."""
    x, xv = images(N), images(N_VAL, seed=1)
    return ArraySource(train=(x, np.arange(N)), val=(xv, np.arange(N_VAL))), x, xv


def augmented_sensor(seed=3, batch_size=10, **kwargs):
    """Training: flip, pad, random crop, light, whiten; validation: pad, center crop, whiten."""
    sensor = IntegratedSensor(make_source()[0], batch_size=batch_size, val_batch_size=5,
                              seed=seed, **kwargs)
    both = [PaddingLayer([2, 2]), CropJoker(SIZE, SIZE, name="crop"), WhitenJoker()]
    for joker in (FlipJoker(flip_up_down=True), *both[:2],
                  LightJoker(brightness=10.0, contrast=(0.8, 1.2)), both[2]):
        sensor.attach(joker)
    for joker in both:
        sensor.attach(joker, to_val=True)
    return sensor


def numpy_batches(dataset):
    return [(x.numpy(), y.numpy()) for x, y in dataset]


def windows(image, h, w):
    """Every h x w window of one (H, W, C) image."""
    H, W = image.shape[:2]
    return [image[i:i + h, j:j + w] for i in range(H - h + 1) for j in range(W - w + 1)]


def whiten(x):
    x = x.astype(np.float64)
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    std = x.std(axis=(1, 2, 3), keepdims=True)
    return (x - mean) / np.maximum(std, 1 / math.sqrt(np.prod(x.shape[1:])))


# -- the pipeline ------------------------------------------------------------------

def test_an_epoch_sees_every_example_once_with_a_smaller_last_batch():
    sensor = augmented_sensor()
    per_epoch = sensor.num_batches_per_epoch
    batches = numpy_batches(sensor.dataset("train").take(2 * per_epoch))
    assert per_epoch == 11
    assert [len(y) for _, y in batches[:per_epoch]] == [10] * 10 + [3]
    first = np.concatenate([y for _, y in batches[:per_epoch]]).tolist()
    second = np.concatenate([y for _, y in batches[per_epoch:]]).tolist()
    assert sorted(first) == sorted(second) == list(range(N))
    assert first != second  # reshuffled each epoch
    assert all(x.shape[1:] == (SIZE, SIZE, 3) and x.dtype == np.float32 for x, _ in batches)


def test_same_seed_same_batches_other_seed_other_batches():
    first = numpy_batches(augmented_sensor(seed=1).dataset().take(3))
    again = numpy_batches(augmented_sensor(seed=1).dataset().take(3))
    other = numpy_batches(augmented_sensor(seed=2).dataset().take(3))
    for (x, y), (x2, y2) in zip(first, again):
        np.testing.assert_array_equal(x, x2)
        np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(first[0][1], other[0][1])
    # The same examples drawn by another seed are augmented differently.
    xs = {int(i): x for x, y in first for i, x in zip(y, x)}
    common = [(xs[int(i)], x) for xo, yo in other for i, x in zip(yo, xo) if int(i) in xs]
    assert common and not all(np.array_equal(a, b) for a, b in common)


def test_start_step_resumes_the_same_augmented_batches():
    sensor = augmented_sensor()
    straight = numpy_batches(sensor.dataset("train").take(26))
    resumed = numpy_batches(sensor.dataset("train", start_step=13).take(13))
    for (x, y), (x2, y2) in zip(straight[13:], resumed):
        np.testing.assert_array_equal(y, y2)
        np.testing.assert_array_equal(x, x2)


def test_training_jokers_leave_validation_alone():
    source, _, xv = make_source()
    plain = IntegratedSensor(source, batch_size=10, val_batch_size=5, seed=0)
    plain.attach(FlipJoker())
    plain.attach(CropJoker(4, 4))
    for split in ("val", "val"):  # twice: the same every pass
        batches = numpy_batches(plain.dataset(split))
        np.testing.assert_array_equal(np.concatenate([x for x, _ in batches]),
                                      xv.astype(np.float32))
        assert [len(y) for _, y in batches] == [5, 5, 5, 2]
    # to_val jokers run deterministically: pad, center crop (= the original), whiten.
    sensor = augmented_sensor()
    got = np.concatenate([x for x, _ in numpy_batches(sensor.dataset("val"))])
    np.testing.assert_allclose(got, whiten(xv), atol=1e-5)


def test_random_jokers_on_validation_do_their_deterministic_part():
    source, _, xv = make_source()
    sensor = IntegratedSensor(source, batch_size=10, val_batch_size=N_VAL, seed=0)
    for joker in (FlipJoker(), LightJoker(brightness=5.0), RotationJoker(), CropJoker(6, 6)):
        sensor.attach(joker, to_val=True)
    got, _ = next(iter(sensor.dataset("val")))
    np.testing.assert_array_equal(got, xv[:, 1:7, 1:7].astype(np.float32))


def test_uint8_stays_uint8_through_pixel_moving_jokers():
    source, x, _ = make_source()
    sensor = IntegratedSensor(source, batch_size=8, seed=0, dtype=None)
    sensor.attach(FlipJoker())
    sensor.attach(PaddingLayer([1, 1]))
    sensor.attach(CropJoker(SIZE, SIZE))
    bx, by = next(iter(sensor.dataset()))
    assert bx.dtype == tf.uint8
    sensor.attach(RescaleJoker(), to_val=True)
    bx, by = next(iter(sensor.dataset("val")))
    assert bx.dtype == tf.float32


def test_feed_style_setup_data_labels():
    sensor = augmented_sensor()
    with pytest.raises(ValueError, match="call sensor.setup"):
        sensor.data()
    sensor.setup()
    first = numpy_batches(sensor.dataset("train").take(1))[0]
    np.testing.assert_array_equal(sensor.data(), first[0])
    np.testing.assert_array_equal(sensor.labels(), first[1])
    assert sensor.data(get_val=True).shape == (5, SIZE, SIZE, 3)


def test_attach_errors():
    sensor = IntegratedSensor(make_source()[0], batch_size=4)
    flip = sensor.attach(FlipJoker())
    assert flip.name == "flip_joker_0" and sensor.attach(FlipJoker()).name == "flip_joker_1"
    with pytest.raises(ValueError, match="already has .*flip_joker_0.* on its training pipeline"):
        sensor.attach(flip)
    with pytest.raises(TypeError, match="can only attach jokers"):
        sensor.attach(lambda x: x)
    with pytest.raises(TypeError, match="IntegratedSensor: to_val must be True or False, got "
                                        "'yes' \\(str\\)"):
        sensor.attach(CropJoker(2, 2), to_val="yes")
    with pytest.raises(ValueError, match="IntegratedSensor: dtype must be a float dtype "
                                         r"\(e.g. 'float32'\) or None, got int32"):
        IntegratedSensor(make_source()[0], batch_size=4, dtype="int32")
    with pytest.raises(TypeError, match="IntegratedSensor: dtype must be a float dtype .*, got "
                                        r"'floaty' \(str\)"):
        IntegratedSensor(make_source()[0], batch_size=4, dtype="floaty")
    too_big = IntegratedSensor(make_source()[0], batch_size=4)
    too_big.attach(CropJoker(SIZE + 1, SIZE))
    with pytest.raises(ValueError, match=r"CropJoker\) crops 9x8 windows, but the images are 8x8"):
        too_big.dataset()


def test_a_to_val_joker_leaves_training_batches_alone():
    """akid's meaning: `to_val=True` is the validation pipeline only."""
    source, x, xv = make_source()
    sensor = IntegratedSensor(source, batch_size=N, val_batch_size=N_VAL, seed=0, shuffle=False)
    sensor.attach(RescaleJoker(scale=0.5), to_val=True)
    train, _ = next(iter(sensor.dataset("train")))
    val, _ = next(iter(sensor.dataset("val")))
    np.testing.assert_array_equal(train, x.astype(np.float32))
    np.testing.assert_array_equal(val, xv.astype(np.float32) * 0.5)
    assert sensor.training_jokers == [] and sensor.jokers == sensor.val_jokers


def test_a_crop_for_training_and_a_crop_for_validation_may_share_a_name():
    """akid's AlexNet attaches `crop` twice: a random one for training, a central one for val."""
    source, x, xv = make_source()
    sensor = IntegratedSensor(source, batch_size=N, val_batch_size=N_VAL, seed=0, dtype=None)
    sensor.attach(CropJoker(6, 6, name="crop"))
    sensor.attach(CropJoker(4, 4, name="crop"), to_val=True)
    train, labels = next(iter(sensor.dataset("train")))
    val, _ = next(iter(sensor.dataset("val")))
    assert train.shape[1:3] == (6, 6)
    assert not np.array_equal(train, x[labels.numpy(), 1:7, 1:7])  # random, not the center
    np.testing.assert_array_equal(val, xv[:, 2:6, 2:6])
    assert [j.name for j in sensor.jokers] == ["crop", "crop"]
    with pytest.raises(ValueError, match="already has a joker named 'crop' on its validation "
                                         "pipeline"):
        sensor.attach(FlipJoker(name="crop"), to_val=True)


def test_several_inputs_the_first_is_augmented_the_rest_pass_through():
    x, xv = images(N), images(N_VAL, seed=1)
    side = np.arange(N * 2, dtype=np.float32).reshape(N, 2)
    source = ArraySource(train=((x, side), (np.arange(N), side[:, 0])),
                         val=((xv, side[:N_VAL]), (np.arange(N_VAL), side[:N_VAL, 0])))
    sensor = IntegratedSensor(source, val_batch_size=N_VAL, seed=0)  # akid's batch_size=100
    sensor.attach(RescaleJoker(scale=2.0))
    (images_in, side_in), (labels, values) = next(iter(sensor.dataset("train")))
    assert sensor.batch_size == 100 and images_in.shape == (100, SIZE, SIZE, 3)
    ids = labels.numpy()
    np.testing.assert_array_equal(images_in, x[ids].astype(np.float32) * 2)
    np.testing.assert_array_equal(side_in, side[ids])
    np.testing.assert_array_equal(values, side[ids, 0])
    sensor.setup()
    (val_images, _), _ = sensor.data(get_val=True), sensor.labels(get_val=True)
    np.testing.assert_array_equal(val_images, xv.astype(np.float32))


# -- jokers against numpy ----------------------------------------------------------

SEED = tf.constant([7, 11], tf.int64)


def test_flip_gives_the_image_or_its_mirror_and_both_happen():
    x = images(64)
    for joker, axis in ((FlipJoker(), 2), (FlipJoker(False, True), 1)):
        out = joker.augment(x, SEED, training=True).numpy()
        flipped = [np.array_equal(o, np.flip(i, axis - 1)) for o, i in zip(out, x)]
        kept = [np.array_equal(o, i) for o, i in zip(out, x)]
        assert all(f or k for f, k in zip(flipped, kept))
        assert 10 < sum(flipped) < 54
        np.testing.assert_array_equal(joker.augment(x, SEED, training=False), x)
        assert out.dtype == np.uint8


def test_random_crop_takes_windows_and_center_crop_is_exact():
    x = images(16, size=10)
    joker = CropJoker(6, 7)
    out = joker.augment(x, SEED, training=True).numpy()
    assert out.shape == (16, 6, 7, 3) and out.dtype == np.uint8
    offsets = set()
    for o, i in zip(out, x):
        matches = [k for k, w in enumerate(windows(i, 6, 7)) if np.array_equal(w, o)]
        assert matches, "a random crop is not a window of its image"
        offsets.add(matches[0])
    assert len(offsets) > 4  # offsets differ between images
    np.testing.assert_array_equal(joker.augment(x, SEED, training=False), x[:, 2:8, 1:8])


def test_padding_as_a_joker_matches_np_pad():
    source, x, xv = make_source()
    sensor = IntegratedSensor(source, batch_size=N, val_batch_size=N_VAL, seed=0, dtype=None)
    padding = sensor.attach(PaddingLayer([2, 3]))
    sensor.attach(padding, to_val=True)  # one block on both pipelines
    for split, ref in (("train", None), ("val", xv)):
        got, labels = next(iter(sensor.dataset(split)))
        ref = x[labels.numpy()] if ref is None else ref
        np.testing.assert_array_equal(got, np.pad(ref, [(0, 0), (2, 2), (3, 3), (0, 0)]))


def test_whiten_matches_the_numpy_formula():
    x = images(5).astype(np.float32)
    x[0] = 7.0  # a constant image: std 0, divided by 1 / sqrt(num_elements)
    check_block(WhitenJoker, x, reference=lambda inputs, block: whiten(inputs), atol=1e-5,
                wrong_rank_input=np.zeros((2, 3), np.float32))


def test_rescale_is_exact_and_casts_uint8():
    x = images(4)
    out = RescaleJoker(scale=0.5, offset=-3.0)(x)
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(out, x.astype(np.float32) * 0.5 - 3.0)
    check_block(lambda: RescaleJoker(1 / 255), x.astype(np.float32),
                reference=lambda inputs, block: inputs * np.float32(1 / 255))


def test_center_crop_through_the_block_interface():
    x = images(4, size=10).astype(np.float32)
    check_block(lambda: CropJoker(4, 6), x, mode="val",
                reference=lambda inputs, block: inputs[:, 3:7, 2:8],
                wrong_rank_input=np.zeros((10, 10), np.float32))


def test_light_changes_brightness_and_contrast_per_image():
    x = images(32).astype(np.float32)
    bright = LightJoker(brightness=20.0).augment(x, SEED, training=True).numpy()
    deltas = (bright - x).reshape(32, -1)
    np.testing.assert_allclose(deltas, deltas[:, :1] * np.ones_like(deltas), atol=1e-4)
    assert np.all(np.abs(deltas[:, 0]) <= 20) and len(set(np.round(deltas[:, 0], 3))) == 32
    contrast = LightJoker(contrast=(0.5, 1.5)).augment(x, SEED, training=True).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    factor = (contrast - mean)[:, 0, 0, 0] / (x - mean)[:, 0, 0, 0]
    np.testing.assert_allclose(contrast, (x - mean) * factor[:, None, None, None] + mean,
                               rtol=1e-4, atol=1e-3)
    assert np.all((factor > 0.5 - 1e-4) & (factor < 1.5 + 1e-4))
    np.testing.assert_array_equal(LightJoker(brightness=1.0).augment(x, SEED, False), x)


def test_rotation():
    x = images(3, size=9).astype(np.float32)
    quarter = rotate(x, tf.constant([math.pi / 2] * 3)).numpy()
    np.testing.assert_allclose(quarter, np.rot90(x, 1, axes=(1, 2)), atol=1e-3)
    joker = RotationJoker(max_degrees=20)
    out = joker.augment(x, SEED, training=True).numpy()
    np.testing.assert_allclose(out[:, 4, 4], x[:, 4, 4], atol=1e-4)  # the center stays put
    assert not np.allclose(out, x)
    np.testing.assert_array_equal(joker.augment(x, SEED, training=False), x)
    np.testing.assert_array_equal(joker.augment(x, SEED, True), out)  # seeded


@pytest.mark.parametrize("make", [FlipJoker, lambda: LightJoker(brightness=5.0), RotationJoker,
                                  lambda: CropJoker(5, 5)])
def test_random_jokers_work_as_blocks(make):
    check_block(make, images(4).astype(np.float32), deterministic=False,
                wrong_rank_input=np.zeros((8, 8), np.float32))


def test_direct_calls_with_a_seed_and_a_single_image():
    x = images(6)
    joker = CropJoker(5, 5)
    seeded = joker([x, SEED])
    np.testing.assert_array_equal(seeded, joker([x, SEED]))
    np.testing.assert_array_equal(joker.augment(x[0], SEED, False), x[0, 1:6, 1:6])
    assert joker(x).shape == (6, 5, 5, 3)
    compiled = tf.function(lambda images: joker(images))
    assert compiled(x).shape == (6, 5, 5, 3)


@pytest.mark.parametrize("make,error,message", [
    (lambda: FlipJoker(flip_left_right="yes"), TypeError,
     r"\(FlipJoker\): flip_left_right must be True or False, got 'yes' \(str\)"),
    (lambda: FlipJoker(False, False), ValueError, r"would flip nothing"),
    (lambda: CropJoker(0, 3), ValueError, r"\(CropJoker\): height must be a positive int, got 0"),
    (lambda: CropJoker(3, 2.5), TypeError, r"width must be a positive int, got 2.5 \(float\)"),
    (lambda: LightJoker(brightness=0.0), ValueError, r"change nothing"),  # LightJoker(): akid's
    (lambda: LightJoker(brightness=-1), ValueError,
     r"brightness must be a finite number >= 0.0, got -1.0"),
    (lambda: LightJoker(contrast=(1.5, 0.5)), ValueError,
     r"contrast upper must be a finite number >= 1.5, got 0.5"),
    (lambda: LightJoker(contrast=(1, 2, 3)), ValueError, r"contrast must be \(lower, upper\)"),
    (lambda: LightJoker(contrast=1.0), TypeError, r"contrast must be \(lower, upper\)"),
    (lambda: RescaleJoker(scale="a"), TypeError,
     r"\(RescaleJoker\): scale must be a number, got 'a' \(str\)"),
    (lambda: RescaleJoker(offset=float("nan")), ValueError,
     r"\(RescaleJoker\): offset must be a finite number, got nan"),
    (lambda: RotationJoker(max_degrees=270), ValueError,
     r"max_degrees must be a finite number in \(0.0, 180.0\], got 270"),
    (lambda: RotationJoker(max_degrees=0), ValueError,
     r"max_degrees must be a finite number in \(0.0, 180.0\], got 0.0"),
    (lambda: RotationJoker(interpolation="cubic"), ValueError,
     r"unknown interpolation 'cubic'; .*'bilinear'"),
    (lambda: RotationJoker(fill_mode="mirror"), ValueError, r"unknown fill_mode 'mirror'"),
])
def test_bad_options_name_the_joker_expected_and_given(make, error, message):
    with pytest.raises(error, match=message):
        make()
