"""The compiled training and validation steps of a Kid."""
import tensorflow as tf

from akid.blocks.recorder import DECAY_SUFFIX


def make_train_step(brain, kongfu, clock, input_signature, jit_compile=False):
    """One optimization step on a batch: forward, gradients, update, clock tick.

    A batch whose loss is not finite changes nothing (no update, no tick), so
    the brain stays as it was before the bad step. Returns the batch's
    `(loss, evals)` and the clock's step after it, so the caller knows the
    step without reading the variable again.
    """
    variables = brain.trainable_variables

    @tf.function(input_signature=input_signature, jit_compile=jit_compile)
    def train_step(x, y):
        with tf.GradientTape() as tape:
            outcome = brain.compute([x, y])
        grads = tape.gradient(outcome.loss, variables)
        used = [(g, v) for g, v in zip(grads, variables) if g is not None]

        def update():
            kongfu.apply_gradients([g for g, _ in used], [v for _, v in used])
            return clock.tick()

        step = tf.cond(tf.math.is_finite(outcome.loss), update, clock.step.read_value)
        return outcome.loss, outcome.evals, step

    return train_step


def make_eval_step(brain, input_signature, jit_compile=False):
    """The data loss (the loss blocks' sum, without weight decay) and evals of a
    batch, without updating anything."""

    @tf.function(input_signature=input_signature, jit_compile=jit_compile)
    def eval_step(x, y):
        outcome = brain.compute([x, y])
        data_terms = [value for name, value in outcome.loss_terms.items()
                      if not name.endswith(DECAY_SUFFIX)]
        return tf.add_n(data_terms), outcome.evals

    return eval_step
