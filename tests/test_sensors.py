"""FeedSensor: epochs, resume position, seeds and akid's feed style."""
import numpy as np
import pytest

from akid import ArraySource, FeedSensor


def source(n=103, n_val=17):
    x = np.arange(n + n_val, dtype="float32")[:, None] * np.ones((1, 3), "float32")
    y = np.arange(n + n_val) % 5
    return ArraySource(train=(x[:n], y[:n]), val=(x[n:], y[n:]))


def ids(batches):
    return [b[0].numpy()[:, 0].astype(int).tolist() for b in batches]


def test_an_epoch_sees_every_example_once_with_a_smaller_last_batch():
    sensor = FeedSensor(source(), batch_size=10, seed=3)
    batches = ids(sensor.dataset("train").take(2 * sensor.num_batches_per_epoch))
    assert sensor.num_batches_per_epoch == 11
    assert [len(b) for b in batches[:11]] == [10] * 10 + [3]
    first, second = sum(batches[:11], []), sum(batches[11:], [])
    assert sorted(first) == sorted(second) == list(range(103))
    assert first != second  # reshuffled each epoch


def test_start_step_resumes_the_same_sequence():
    sensor = FeedSensor(source(), batch_size=10, seed=3)
    straight = ids(sensor.dataset("train").take(30))
    assert ids(sensor.dataset("train", start_step=14).take(16)) == straight[14:]


def test_same_seed_same_batches_other_seed_other_batches():
    first = ids(FeedSensor(source(), batch_size=10, seed=1).dataset().take(3))
    assert first == ids(FeedSensor(source(), batch_size=10, seed=1).dataset().take(3))
    assert first != ids(FeedSensor(source(), batch_size=10, seed=2).dataset().take(3))


def test_validation_is_one_pass_in_order():
    sensor = FeedSensor(source(), batch_size=10, val_batch_size=5, seed=0)
    batches = ids(sensor.dataset("val"))
    assert sum(batches, []) == list(range(103, 120)) and [len(b) for b in batches][-1] == 2


def test_feed_style_data_and_labels():
    sensor = FeedSensor(source(), batch_size=4)
    with pytest.raises(ValueError, match="call sensor.setup"):
        sensor.data()
    sensor.setup()
    assert sensor.data().shape == (4, 3) and sensor.labels().tolist() == [0, 1, 2, 3]
    assert sensor.data(get_val=True)[:, 0].tolist() == [103, 104, 105, 106]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="^FeedSensor: batch_size must be a positive int, got 0$"):
        FeedSensor(source(), batch_size=0)
    with pytest.raises(TypeError, match=r"^FeedSensor: batch_size must be a positive int, got "
                                        r"True \(bool\)$"):
        FeedSensor(source(), batch_size=True)
    with pytest.raises(TypeError, match=r"FeedSensor: val_batch_size must be a positive int or "
                                        r"None, got 2.5 \(float\)"):
        FeedSensor(source(), batch_size=2, val_batch_size=2.5)
    with pytest.raises(ValueError, match=r"FeedSensor: num_batches must be a positive int, got 0"):
        FeedSensor(source(), batch_size=2, num_batches=0)
    with pytest.raises(TypeError, match=r"FeedSensor: shuffle must be True or False, got 'no'"):
        FeedSensor(source(), batch_size=2, shuffle="no")
    with pytest.raises(TypeError, match="source_in must be a Source"):
        FeedSensor([1, 2, 3], batch_size=2)
    with pytest.raises(ValueError, match="FeedSensor: unknown split 'dev'; choose one of "
                                         "'train', 'val', 'test'"):
        FeedSensor(source(), batch_size=2).dataset("dev")
