"""The compiled training and validation steps of a Kid.

A batch is `(x, y)`, each side a tensor or a tuple of them (several inputs,
several label arrays); the brain gets them as one `system_in` list.
"""
import tensorflow as tf


def batch_signature(batch):
    """The TensorSpecs of a batch (any nest of tensors) with the batch axis unknown."""
    return tf.nest.map_structure(lambda t: tf.TensorSpec([None, *t.shape[1:]], t.dtype), batch)


def head(batch, n):
    """The first `n` examples of every tensor of a batch."""
    return tf.nest.map_structure(lambda t: t[:n], batch)


def num_examples(side):
    """How many examples one side of a batch (a tensor or a tuple of them) holds, as a tensor."""
    return tf.shape(tf.nest.flatten(side)[0])[0]


def reported(outcome):
    """The metrics a step reports: the evals, and with several loss blocks each one's
    term as `loss/<block path>` (the total is the step's loss)."""
    if len(outcome.losses) < 2:
        return dict(outcome.evals)
    return {**outcome.evals, **{f"loss/{path}": value for path, value in outcome.losses.items()}}


def make_train_step(brain, kongfu, clock, engine, input_signature=None, jit_compile=False,
                    weight_averages=None):
    """One optimization step on a global batch: forward, gradients, update, the weight
    averages' update (when the brain keeps them), clock tick.

    The engine's towers each take their part of the batch and the part of the
    global-batch loss it carries (its examples' share of the data loss, one
    tower's share of the weight decay); the optimizer sums their gradients,
    so the update is the one a single device makes on the whole batch.

    A batch whose loss is not finite changes nothing (no update, no tick), so
    the brain stays as it was before the bad step. Returns the batch's
    `(loss, evals)` over the global batch and the clock's step after it, so
    the caller knows the step without reading the variable again.
    """
    strategy = engine.strategy
    variables = brain.trainable_variables
    reached = []  # the variables the loss reaches (with a gradient), found at tracing

    def tower_gradients(x, y):
        with tf.GradientTape() as tape:
            outcome = brain.compute([x, y], step=clock.step)
            loss, share = _tower_loss(outcome, x)
        grads = tape.gradient(loss, variables)
        reached[:] = [i for i, g in enumerate(grads) if g is not None]
        evals = {name: value * share for name, value in reported(outcome).items()}
        return loss, evals, [grads[i] for i in reached]

    def tower_update(grads):
        kongfu.apply_gradients(grads, [variables[i] for i in reached])

    @tf.function(input_signature=input_signature, jit_compile=jit_compile)
    def train_step(x, y):
        loss, evals, grads = strategy.run(tower_gradients, (x, y))
        loss, evals = _sum_over_towers(strategy, (loss, evals))

        def update():
            strategy.run(tower_update, (grads,))
            if weight_averages is not None:
                weight_averages.update(clock.step)
            return clock.tick()

        step = tf.cond(tf.math.is_finite(loss), update, clock.step.read_value)
        return loss, evals, step

    return train_step


def _tower_loss(outcome, x):
    """This tower's part of the global-batch loss, and its share of the global batch."""
    towers = tf.distribute.get_replica_context()
    replicas = towers.num_replicas_in_sync
    if replicas == 1:
        return outcome.loss, 1.0
    examples = tf.cast(num_examples(x), tf.float32)
    share = examples / towers.all_reduce(tf.distribute.ReduceOp.SUM, examples)
    return outcome.data_loss * share + outcome.regularization / replicas, share


def make_eval_step(brain, engine, input_signature=None, jit_compile=False):
    """A batch's sums over its examples of the data loss (the loss blocks' sum,
    without weight decay) and of each eval, and its number of examples, without
    updating anything.

    Sums, not means: the engine's towers may get unequal parts of a last,
    smaller batch (or none of it), and sums add up across them.
    """
    strategy = engine.strategy

    def tower_sums(x, y):
        outcome = brain.compute([x, y])
        examples = tf.cast(num_examples(x), tf.float32)
        means = {"loss": outcome.data_loss, **reported(outcome)}
        # A tower without examples has NaN means; it adds nothing.
        return {name: tf.where(examples > 0, tf.cast(mean, tf.float32) * examples, 0.0)
                for name, mean in means.items()}, examples

    @tf.function(input_signature=input_signature, jit_compile=jit_compile)
    def eval_step(x, y):
        return _sum_over_towers(strategy, strategy.run(tower_sums, (x, y)))

    return eval_step


def _sum_over_towers(strategy, values):
    """`values` (a nest of per-tower tensors) summed over all towers of all workers."""
    return tf.nest.map_structure(
        lambda value: strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None), values)
