"""akid's `moving_average_decay=`: moving averages of the weights, kept while training and
used by validation, prediction and export; saved and resumed with the checkpoints."""
import numpy as np
import pytest
import tensorflow as tf

from akid import Brain, ConvolutionLayer, FeedSensor, InnerProductLayer, Kid, MomentumKongFu
from akid.kids.weight_averages import decays_of

from test_kids import SmallBrain, blob_source


def make_kid(log_dir, decay=0.9, max_steps=12, **kwargs):
    return Kid(FeedSensor(blob_source(), batch_size=32),
               SmallBrain(name="small", moving_average_decay=decay),
               MomentumKongFu(lr_scheme={"name": "fixed", "base_lr": 0.05}),
               max_steps=max_steps, log_dir=str(log_dir), seed=1, **kwargs)


def weights(kid):
    return [v.numpy() for v in kid.brain.trainable_variables]


def test_averages_follow_tensorflow_1s_rule_with_the_global_step(tmp_path):
    """average -= (average - w) * (1 - min(decay, (1 + t) / (10 + t))), t the step before
    the update, from the initial weights."""
    kid = make_kid(tmp_path).setup()
    expected = weights(kid)

    def follow(kid):
        t = kid.step - 1
        kept = min(0.9, (1 + t) / (10 + t))
        expected[:] = [a - (a - w) * (1 - kept) for a, w in zip(expected, weights(kid))]
    kid.hooks.on_batch_end.append(follow)
    kid.practice()
    assert len(kid.weight_averages.averages) == len(kid.brain.trainable_variables)
    for average, wanted, trained in zip(kid.weight_averages.averages, expected, weights(kid)):
        np.testing.assert_allclose(average.numpy(), wanted, rtol=1e-5, atol=1e-6)
        assert not np.allclose(average.numpy(), trained)  # they lag the weights


def test_validation_and_prediction_use_the_averages_and_leave_the_weights(tmp_path):
    kid = make_kid(tmp_path)
    kid.practice()
    trained = weights(kid)
    val_loss, _ = kid.validate()
    predicted = kid.predict("val")
    assert [np.array_equal(a, b) for a, b in zip(weights(kid), trained)] == [True] * len(trained)

    for variable, average in zip(kid.brain.trainable_variables, kid.weight_averages.averages):
        variable.assign(average)
    kid.weight_averages = None  # the plain path, on the averages assigned by hand
    plain_loss, _ = kid.validate()
    assert val_loss == pytest.approx(plain_loss, rel=1e-5)
    np.testing.assert_allclose(predicted, kid.predict("val"), rtol=1e-5, atol=1e-6)
    for variable, value in zip(kid.brain.trainable_variables, trained):
        variable.assign(value)
    assert abs(kid.validate()[0] - val_loss) > 1e-4  # the trained weights give another loss


def test_export_serves_the_averages(tmp_path):
    kid = make_kid(tmp_path / "log")
    kid.practice()
    x = blob_source().arrays("val")[0][:8]
    served = tf.saved_model.load(kid.export(str(tmp_path / "export")))
    output = served.signatures["serving_default"](data=tf.constant(x))["output"]
    np.testing.assert_allclose(output.numpy(), kid.predict(x), rtol=1e-5, atol=1e-6)


def test_resume_restores_the_averages(tmp_path):
    kid = make_kid(tmp_path, max_steps=12)
    kid.practice()
    averages = [a.numpy() for a in kid.weight_averages.averages]
    kid.teardown()
    again = make_kid(tmp_path, max_steps=20, continue_from_chk_point=True).setup()
    assert again.step == 12
    for restored, saved in zip(again.weight_averages.averages, averages):
        np.testing.assert_array_equal(restored.numpy(), saved)


def test_a_brain_only_checkpoint_sets_the_averages_to_its_weights(tmp_path):
    trained = make_kid(tmp_path / "a", decay=None)
    trained.practice()
    prefix = tf.train.Checkpoint(brain=trained.brain).write(str(tmp_path / "brain-only"))
    kid = make_kid(tmp_path / "b")
    kid.restore(prefix)
    for average, weight in zip(kid.weight_averages.averages, weights(trained)):
        np.testing.assert_array_equal(average.numpy(), weight)
    assert kid.validate()[0] == pytest.approx(trained.validate()[0], rel=1e-6)


def test_a_system_decay_overrides_its_blocks_and_a_block_decay_is_its_own():
    brain = Brain(name="outer")
    brain.attach(InnerProductLayer(out_channel_num=4, moving_average_decay=0.6, name="ip1"))
    brain.attach(InnerProductLayer(out_channel_num=2, name="ip2"))
    brain(tf.zeros([2, 3]))
    ip1, ip2 = brain.blocks
    assert decays_of(brain) == {id(v): 0.6 for v in ip1.trainable_variables}
    outer = Brain(moving_average_decay=0.99, name="outer2")
    outer.attach(ConvolutionLayer([3, 3], [1, 1, 1, 1], "SAME", out_channel_num=2,
                                  moving_average_decay=0.6, name="conv1"))
    outer(tf.zeros([1, 4, 4, 1]))
    assert set(decays_of(outer).values()) == {0.99}


def test_no_decay_keeps_no_averages(tmp_path):
    kid = make_kid(tmp_path, decay=None).setup()
    assert kid.weight_averages is None


@pytest.mark.parametrize("decay", [0.4, 1.0, 1, "0.99", True])
def test_a_decay_outside_akids_range_is_refused(decay):
    with pytest.raises((ValueError, TypeError), match=r"Brain.*moving_average_decay must be"):
        Brain(moving_average_decay=decay, name="b")
