"""Tests of akid.kongfu: lr schemes, clipping, the clock, the six optimizers, checkpoints."""
import math

import numpy as np
import pytest
import tensorflow as tf

from akid.kongfu import (AdadeltaKongFu, AdagradKongFu, AdamKongFu, GradientDescentKongFu, KongFu,
                         LearningRateScheme, MomentumKongFu, RMSPropKongFu, make_lr_scheme)

EXP = {"name": "exp_decay", "base_lr": 0.1, "decay_rate": 0.5,
       "num_batches_per_epoch": 10, "decay_epoch_num": 3}


def values_at(scheme, steps):
    """The scheme at `steps`, eagerly; checks tf.function gives the same."""
    eager = [float(scheme(s)) for s in steps]
    compiled = tf.function(lambda s: scheme(s))
    assert eager == [float(compiled(tf.constant(s, tf.int64))) for s in steps]
    return eager


def quadratic_grads(w):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w ** 2)
    return loss, tape.gradient(loss, [w])


# Schemes.

def test_names():
    assert LearningRateScheme.placeholder == "placeholder"
    assert {LearningRateScheme.fixed, LearningRateScheme.exp_decay, LearningRateScheme.step,
            LearningRateScheme.cosine} == {"fixed", "exp_decay", "step", "cosine"}


def test_fixed():
    scheme = make_lr_scheme({"name": "fixed", "base_lr": 0.01})
    assert values_at(scheme, [0, 7, 10**6]) == pytest.approx([0.01] * 3)
    assert scheme(3).dtype == tf.float32


def test_exp_decay_is_a_staircase():
    scheme = make_lr_scheme(EXP)
    decay_steps = 30
    steps = [0, 1, decay_steps - 1, decay_steps, 2 * decay_steps - 1, 2 * decay_steps,
             3 * decay_steps - 1, 3 * decay_steps, 10**5]
    expected = [0.1 * 0.5 ** (s // decay_steps) for s in steps]
    assert values_at(scheme, steps) == pytest.approx(expected, rel=1e-6)
    assert scheme.spec == EXP


def test_step_boundary_belongs_to_the_piece_before():
    scheme = make_lr_scheme({"name": "step", "boundaries": [100, 200], "values": [1.0, 0.5, 0.1]})
    steps = [0, 99, 100, 101, 199, 200, 201, 10**6]
    assert values_at(scheme, steps) == pytest.approx([1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.1, 0.1])


def test_cosine():
    scheme = make_lr_scheme({"name": "cosine", "base_lr": 0.2, "total_steps": 100})
    steps = [0, 25, 50, 100, 150]
    expected = [0.2 * 0.5 * (1 + math.cos(math.pi * min(s, 100) / 100)) for s in steps]
    assert values_at(scheme, steps) == pytest.approx(expected, abs=1e-7)
    assert values_at(scheme, [50, 100, 150]) == pytest.approx([0.1, 0.0, 0.0], abs=1e-7)


def test_placeholder_is_unset_until_set_or_given_a_base_lr():
    """Issue 15: an unset placeholder is NaN (refused at the first step), never a silent 0."""
    unset = make_lr_scheme({"name": "placeholder"})
    assert np.isnan(float(unset(0))) and unset.value() is None
    assert float(make_lr_scheme({"name": "placeholder", "base_lr": 0.3})(5)) == pytest.approx(0.3)


@pytest.mark.parametrize("spec, error, match", [
    ({"name": "foo"}, ValueError,
     r"unknown lr_scheme name 'foo'.*known names: 'fixed', 'exp_decay'"),
    ({"base_lr": 0.1}, ValueError, r"no 'name'.*known names"),
    ({"name": "exp_decay", "base_lr": 0.1, "num_batches_per_epoch": 10, "decay_epoch_num": 1},
     ValueError,
     r"'exp_decay' is missing key\(s\) 'decay_rate'; it requires 'base_lr', 'decay_rate'"),
    ({"name": "cosine", "base_lr": 0.1}, ValueError, r"missing key\(s\) 'total_steps'"),
    ({"name": "fixed", "base_lr": 0.1, "decay": 2}, ValueError,
     r"'fixed' got unknown key\(s\) 'decay'; it takes 'base_lr'"),
    ({"name": "fixed", "base_lr": -0.1}, ValueError,
     r"^lr_scheme 'fixed': base_lr must be a finite number > 0, got -0.1$"),
    ({"name": "fixed", "base_lr": "0.1"}, TypeError,
     r"^lr_scheme 'fixed': base_lr must be a number, got '0.1' \(str\)$"),
    ({**EXP, "decay_rate": 0.0}, ValueError,
     r"lr_scheme 'exp_decay': decay_rate must be a finite number > 0, got 0.0"),
    ({**EXP, "num_batches_per_epoch": 2.5}, TypeError,
     r"num_batches_per_epoch must be a positive int or None, got 2.5 \(float\)"),
    ({**EXP, "num_batches_per_epoch": True}, TypeError,
     r"num_batches_per_epoch must be a positive int or None, got True \(bool\)"),
    ({**EXP, "decay_epoch_num": 0}, ValueError,  # akid took a fraction of an epoch too
     r"decay_epoch_num must be a finite number > 0, got 0.0$"),
    ({"name": "cosine", "base_lr": 0.1, "total_steps": 0}, ValueError,
     r"lr_scheme 'cosine': total_steps must be a positive int, got 0"),
    ({"name": "step", "boundaries": [-1], "values": [1, 2]}, ValueError,
     r"lr_scheme 'step': boundaries\[0\] must be an int >= 0, got -1"),
    ({"name": "step", "boundaries": [10], "values": [0.1]}, ValueError,
     r"values must have len\(boundaries\) \+ 1 = 2 entries, got 1"),
    ({"name": "step", "boundaries": [10, 5], "values": [1, 2, 3]}, ValueError,
     r"strictly increasing"),
    ({"name": "step", "boundaries": [], "values": [1]}, ValueError, r"at least one step"),
    ({"name": "step", "boundaries": [10], "values": [0.1, -1]}, ValueError,
     r"lr_scheme 'step': values\[1\] must be a finite number >= 0, got -1.0"),
    ({"name": "placeholder", "base_lr": -1}, ValueError,
     r"lr_scheme 'placeholder': base_lr must be a finite number >= 0, got -1.0"),
    ("fixed", TypeError, r"lr_scheme must be a dict"),
])
def test_bad_specs(spec, error, match):
    with pytest.raises(error, match=match):
        make_lr_scheme(spec)


# The KongFu.

def test_placeholder_set_lr_eagerly_and_in_tf_function():
    kf = MomentumKongFu(lr_scheme={"name": "placeholder"})
    with pytest.raises(ValueError, match=r"has no learning rate yet.*set_lr\(0.1\)"):
        kf.get_lr()  # issue 15: not a silent 0.0
    kf.set_lr(0.25)
    assert kf.get_lr() == pytest.approx(0.25)
    tf.function(lambda: kf.set_lr(tf.constant(0.125)))()
    assert kf.get_lr() == pytest.approx(0.125)
    with pytest.raises(ValueError, match=r"lr_scheme 'placeholder': lr must be a finite number "
                                         r">= 0, got -1.0"):
        kf.set_lr(-1)


def test_set_lr_needs_a_placeholder():
    kf = AdamKongFu(lr_scheme={"name": "fixed", "base_lr": 0.01})
    match = r"uses lr_scheme \{'name': 'fixed'.*set_lr needs lr_scheme \{'name': 'placeholder'\}"
    with pytest.raises(ValueError, match=match):
        kf.set_lr(0.1)


def test_default_scheme_and_constructor_checks():
    assert GradientDescentKongFu().get_lr() == pytest.approx(0.01)
    with pytest.raises(ValueError, match=r"^GradientDescentKongFu: clip_norm must be a finite "
                                         r"number > 0, got 0.0$"):
        GradientDescentKongFu(clip_norm=0)
    with pytest.raises(TypeError, match=r"clip_norm must be a number, got '1' \(str\)"):
        GradientDescentKongFu(clip_norm="1")
    with pytest.raises(ValueError, match=r"^MomentumKongFu: momentum must be a finite number in "
                                         r"\[0, 1\), got 1.5$"):
        MomentumKongFu(momentum=1.5)
    with pytest.raises(ValueError, match=r"RMSPropKongFu: decay must be .* in \[0, 1\), got 1.0"):
        RMSPropKongFu(decay=1)
    with pytest.raises(TypeError, match=r"AdadeltaKongFu: rho must be a number, got None"):
        AdadeltaKongFu(rho=None)
    with pytest.raises(ValueError, match=r"AdamKongFu: epsilon must be a finite number > 0, "
                                         r"got 0.0"):
        AdamKongFu(epsilon=0)
    with pytest.raises(TypeError, match=r"^MomentumKongFu: use_nesterov must be True or False, "
                                        r"got 'yes' \(str\)$"):
        MomentumKongFu(use_nesterov="yes")
    with pytest.raises(NotImplementedError, match=r"KongFu is a base class"):
        KongFu()


@pytest.mark.parametrize("make, attribute, value", [
    (lambda: MomentumKongFu(momentum=0.7, use_nesterov=True), "nesterov", True),
    (lambda: MomentumKongFu(momentum=0.7), "momentum", 0.7),
    (lambda: AdamKongFu(beta1=0.8, beta2=0.99, epsilon=1e-6), "beta_2", 0.99),
    (lambda: RMSPropKongFu(decay=0.8), "rho", 0.8),
    (lambda: AdagradKongFu(initial_accumulator_value=0.3), "initial_accumulator_value", 0.3),
    (lambda: AdadeltaKongFu(rho=0.9, epsilon=1e-6), "epsilon", 1e-6),
])
def test_akid_arguments_reach_keras(make, attribute, value):
    assert getattr(make().optimizer, attribute) == pytest.approx(value)


def test_external_counter_drives_the_schedule():
    kf = GradientDescentKongFu(
        lr_scheme={"name": "step", "boundaries": [100], "values": [0.1, 0.01]})
    clock = tf.Variable(0, dtype=tf.int64)
    kf.set_step_counter(clock)
    assert kf.step is clock
    w = tf.Variable([1.0])
    for _ in range(3):
        kf.apply_gradients(quadratic_grads(w)[1], [w])
    assert int(kf.optimizer.iterations) == 3
    assert int(clock) == 0  # The KongFu never ticks the clock.
    assert kf.get_lr() == pytest.approx(0.1)
    clock.assign(101)
    assert kf.get_lr() == pytest.approx(0.01)
    kf.set_step_counter(None)  # Back to the optimizer's own count (3).
    assert kf.get_lr() == pytest.approx(0.1)
    with pytest.raises(TypeError, match=r"scalar integer tf.Variable"):
        kf.set_step_counter(tf.Variable(1.0))


def test_external_counter_is_not_in_the_kongfu_checkpoint(tmp_path):
    def saved_keys(kf, name):
        path = tf.train.Checkpoint(kongfu=kf).save(str(tmp_path / name))
        return sorted(key for key, _ in tf.train.list_variables(path))

    with_clock = MomentumKongFu()
    with_clock.set_step_counter(tf.Variable(5, dtype=tf.int64))
    assert saved_keys(with_clock, "with") == saved_keys(MomentumKongFu(), "without")
    assert list(with_clock.variables) == list(with_clock.lr_scheme.variables) == []


def test_learning_rate_follows_the_schedule_per_update():
    kf = GradientDescentKongFu(lr_scheme={"name": "step", "boundaries": [1], "values": [0.1, 0.01]})
    w = tf.Variable([3.0, -2.0])

    @tf.function
    def train_step():
        return kf.apply_gradients(quadratic_grads(w)[1], [w])

    expected = np.array([3.0, -2.0])
    for lr in [0.1, 0.1, 0.01, 0.01]:  # Steps 0 and 1 are <= boundary 1.
        train_step()
        expected = expected - lr * 2 * expected
    np.testing.assert_allclose(w.numpy(), expected, rtol=1e-6)


def test_clipping_scales_gradients_to_clip_norm():
    lr, clip = 0.1, 1.0
    kf = GradientDescentKongFu(lr_scheme={"name": "fixed", "base_lr": lr}, clip_norm=clip)
    a, b = tf.Variable([1.0, 1.0]), tf.Variable([[2.0]])
    grads = [tf.constant([3.0, 0.0]), tf.constant([[4.0]])]  # Global norm 5.
    norm = tf.function(kf.apply_gradients)(grads, [a, b])
    assert float(norm) == pytest.approx(5.0)
    scale = clip / 5.0
    np.testing.assert_allclose(a.numpy(), [1.0 - lr * 3.0 * scale, 1.0], rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), [[2.0 - lr * 4.0 * scale]], rtol=1e-6)
    # Below clip_norm nothing changes.
    norm = kf.apply_gradients([tf.constant([0.3, 0.0]), tf.constant([[0.4]])], [a, b])
    assert float(norm) == pytest.approx(0.5)
    np.testing.assert_allclose(b.numpy(), [[2.0 - lr * 4.0 * scale - lr * 0.4]], rtol=1e-6)


def test_apply_gradients_checks_lengths():
    kf = GradientDescentKongFu()
    with pytest.raises(ValueError, match=r"got 1 gradients for 2 variables"):
        kf.apply_gradients([tf.constant(1.0)], [tf.Variable(1.0), tf.Variable(2.0)])


@pytest.mark.parametrize("kongfu_class, lr", [
    (GradientDescentKongFu, 0.05), (MomentumKongFu, 0.02), (AdamKongFu, 0.05),
    (RMSPropKongFu, 0.01), (AdagradKongFu, 0.1), (AdadeltaKongFu, 1.0),
])
def test_each_optimizer_decreases_a_quadratic(kongfu_class, lr):
    kf = kongfu_class(lr_scheme={"name": "fixed", "base_lr": lr})
    w = tf.Variable([3.0, -2.0, 1.0])

    @tf.function
    def train(steps):
        first = tf.reduce_sum(w ** 2)
        for _ in tf.range(steps):
            loss, grads = quadratic_grads(w)
            kf.apply_gradients(grads, [w])
        return first, tf.reduce_sum(w ** 2)

    first, last = train(tf.constant(50))
    assert float(last) < 0.98 * float(first), (kongfu_class.__name__, float(first), float(last))
    assert int(kf.optimizer.iterations) == 50


def test_checkpoint_round_trip(tmp_path):
    def make():
        kf = MomentumKongFu(momentum=0.9, lr_scheme={"name": "placeholder"})
        w = tf.Variable([3.0, -2.0])
        kf.build([w])
        return kf, w

    kf, w = make()
    kf.set_lr(0.05)
    for _ in range(3):
        kf.apply_gradients(quadratic_grads(w)[1], [w])
    path = tf.train.Checkpoint(kongfu=kf).save(str(tmp_path / "ck"))

    fresh, fresh_w = make()
    assert fresh.lr_value is None and int(fresh.optimizer.iterations) == 0
    tf.train.Checkpoint(kongfu=fresh).restore(path).assert_existing_objects_matched()
    assert int(fresh.optimizer.iterations) == 3
    assert fresh.get_lr() == pytest.approx(0.05)
    saved_slot = kf.optimizer.momentums[0].numpy()
    assert np.abs(saved_slot).min() > 0
    np.testing.assert_array_equal(fresh.optimizer.momentums[0].numpy(), saved_slot)
    # The restored KongFu continues exactly as the original would.
    fresh_w.assign(w)
    for kongfu, var in [(kf, w), (fresh, fresh_w)]:
        kongfu.apply_gradients(quadratic_grads(var)[1], [var])
    np.testing.assert_array_equal(fresh_w.numpy(), w.numpy())
